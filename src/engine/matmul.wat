;; The dense layers' products as a WebAssembly SIMD kernel (see matmul.ts, which loads it and
;; holds the TypeScript fallback with the same arithmetic):
;;   out[i][j] = init[j] + Σ_p a[i][p]·b[p][j]   (p ascending; a: m × k, b: k × n, out: m × n)
;; Every element of out is one running sum, started from init[j] (or +0) and added to in p order,
;; with a separate multiply and add (WebAssembly never fuses them), exactly as the plain triple
;; loop in TypeScript takes it; so results are bit-identical to it on every machine. SIMD runs
;; two neighbouring columns j, j+1 as the two lanes of an f64x2: two independent sums side by
;; side, not a split of one sum. A block of 4 rows × 4 columns keeps 8 such pairs in registers,
;; so each load of b serves 4 rows and each load of a serves 4 columns.
;; All addresses are byte offsets into the exported memory; the caller lays the arrays out.
(module
  (memory (export "memory") 1)

  (func (export "multiply")
    (param $a i32) (param $b i32) (param $out i32) (param $init i32) (param $hasInit i32)
    (param $m i32) (param $n i32) (param $k i32)
    (local $aRow i32) (local $bRow i32) (local $outRow i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $ap i32) (local $bp i32) (local $op i32)
    (local $c0 v128) (local $c1 v128) (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local $c f64) (local $s f64)
    (local.set $aRow (i32.shl (local.get $k) (i32.const 3)))
    (local.set $bRow (i32.shl (local.get $n) (i32.const 3)))
    (local.set $outRow (local.get $bRow))

    ;; Columns four at a time.
    (block $columnsDone
      (loop $columns
        (br_if $columnsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (if (local.get $hasInit)
          (then
            (local.set $c0 (v128.load (i32.add (local.get $init) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $c1 (v128.load offset=16 (i32.add (local.get $init) (i32.shl (local.get $j) (i32.const 3))))))
          (else
            (local.set $c0 (v128.const f64x2 0 0))
            (local.set $c1 (v128.const f64x2 0 0))))

        ;; Rows four at a time.
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
            (local.set $s00 (local.get $c0)) (local.set $s01 (local.get $c1))
            (local.set $s10 (local.get $c0)) (local.set $s11 (local.get $c1))
            (local.set $s20 (local.get $c0)) (local.set $s21 (local.get $c1))
            (local.set $s30 (local.get $c0)) (local.set $s31 (local.get $c1))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $p (local.get $k))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.eqz (local.get $p)))
                (local.set $y0 (v128.load (local.get $bp)))
                (local.set $y1 (v128.load offset=16 (local.get $bp)))
                (local.set $x (f64x2.splat (f64.load (local.get $ap))))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $ap) (local.get $aRow)))))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $ap) (i32.shl (local.get $aRow) (i32.const 1))))))
                (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $ap) (i32.mul (local.get $aRow) (i32.const 3))))))
                (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $op (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $i) (local.get $outRow)) (i32.shl (local.get $j) (i32.const 3)))))
            (v128.store (local.get $op) (local.get $s00))
            (v128.store offset=16 (local.get $op) (local.get $s01))
            (local.set $op (i32.add (local.get $op) (local.get $outRow)))
            (v128.store (local.get $op) (local.get $s10))
            (v128.store offset=16 (local.get $op) (local.get $s11))
            (local.set $op (i32.add (local.get $op) (local.get $outRow)))
            (v128.store (local.get $op) (local.get $s20))
            (v128.store offset=16 (local.get $op) (local.get $s21))
            (local.set $op (i32.add (local.get $op) (local.get $outRow)))
            (v128.store (local.get $op) (local.get $s30))
            (v128.store offset=16 (local.get $op) (local.get $s31))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows)))

        ;; The last m mod 4 rows one at a time.
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $s00 (local.get $c0)) (local.set $s01 (local.get $c1))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $p (local.get $k))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.eqz (local.get $p)))
                (local.set $x (f64x2.splat (f64.load (local.get $ap))))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (v128.load (local.get $bp)))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $op (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $i) (local.get $outRow)) (i32.shl (local.get $j) (i32.const 3)))))
            (v128.store (local.get $op) (local.get $s00))
            (v128.store offset=16 (local.get $op) (local.get $s01))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tail)))

        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $columns)))

    ;; The last n mod 4 columns one element at a time.
    (block $lastDone
      (loop $last
        (br_if $lastDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $c (f64.const 0))
        (if (local.get $hasInit)
          (then (local.set $c (f64.load (i32.add (local.get $init) (i32.shl (local.get $j) (i32.const 3)))))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $s (local.get $c))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $p (local.get $k))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.eqz (local.get $p)))
                (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $ap)) (f64.load (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (f64.store (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $i) (local.get $outRow)) (i32.shl (local.get $j) (i32.const 3))))
              (local.get $s))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $last)))))
