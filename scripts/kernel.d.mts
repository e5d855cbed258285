// Types of kernel.mjs for the TypeScript that imports it (the kernel tests).
export declare const KERNEL_SOURCE: string;
export declare function assembleKernel(): Promise<Uint8Array<ArrayBuffer>>;
