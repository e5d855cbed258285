;; The dense layers' products as a WebAssembly SIMD kernel (see matmul.ts, which loads it and
;; holds the TypeScript fallback with the same arithmetic):
;;   out[i][j] = init[j] + Σ_p A[i][p]·B[p][j]   (p ascending; A: m × k, B: k × n, out: m × n)
;; Every element of out is one running sum, started from init[j] and added to in p order, with a
;; separate multiply and add (WebAssembly never fuses them), exactly as the plain triple loop in
;; TypeScript takes it; so results are bit-identical to it on every machine. SIMD runs two
;; neighbouring columns j, j+1 as the two lanes of an f64x2: two independent sums side by side,
;; not a split of one sum. A tile of 4 rows × 4 columns keeps 8 such pairs in registers, so each
;; load of B serves 4 rows and each load of A serves 4 columns (larger tiles run out of the 16
;; vector registers and were slower).
;;
;; A and B may lie in memory in any row or column order (a product with Aᵀ or Bᵀ needs no
;; transposed copy): element A[i][p] is at a + 8·(i·aRowStep + p·aSumStep), B[p][j] at
;; b + 8·(p·bSumStep + j·bColumnStep). Before the products, the kernel copies them into panels
;; it reads in order (4 rows of A, 4 columns of B, p by p), padded with zeros to whole tiles, so
;; the tile loop has no edge cases: a padded row or column only makes sums nobody stores.
;; All addresses are byte offsets into the exported memory; the caller lays the regions out.
(module
  (memory (export "memory") 1)

;; dst[(q/4·k + p)·4 + c] = src[p·sumStep + (q + c)·step] for q + c < count, else 0 (q a multiple
  ;; of 4): `count` rows of A (or columns of B) in panels of 4, each panel p by p.
  (func $pack
    (param $src i32) (param $dst i32) (param $count i32) (param $k i32) (param $step i32) (param $sumStep i32)
    (local $q i32) (local $p i32) (local $c i32) (local $at i32)
    (local.set $step (i32.shl (local.get $step) (i32.const 3)))
    (local.set $sumStep (i32.shl (local.get $sumStep) (i32.const 3)))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.ge_u (local.get $q) (local.get $count)))
        (local.set $at (i32.add (local.get $src) (i32.mul (local.get $q) (local.get $step))))
        (local.set $p (local.get $k))
        (if (i32.gt_u (i32.add (local.get $q) (i32.const 4)) (local.get $count))
          (then
            ;; The last panel, part padding: element by element.
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.eqz (local.get $p)))
                (local.set $c (i32.const 0))
                (block $panelDone
                  (loop $panel
                    (br_if $panelDone (i32.eq (local.get $c) (i32.const 4)))
                    (f64.store (local.get $dst)
                      (if (result f64) (i32.lt_u (i32.add (local.get $q) (local.get $c)) (local.get $count))
                        (then (f64.load (i32.add (local.get $at) (i32.mul (local.get $c) (local.get $step)))))
                        (else (f64.const 0))))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $panel)))
                (local.set $at (i32.add (local.get $at) (local.get $sumStep)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum))))
          (else
            (if (i32.eq (local.get $step) (i32.const 8))
              (then
                ;; Four neighbours in memory: two vector copies per p.
                (block $sumDone
                  (loop $sum
                    (br_if $sumDone (i32.eqz (local.get $p)))
                    (v128.store (local.get $dst) (v128.load (local.get $at)))
                    (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $at)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                    (local.set $at (i32.add (local.get $at) (local.get $sumStep)))
                    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                    (br $sum))))
              (else
                ;; Four apart: one number from each per p.
                (block $sumDone
                  (loop $sum
                    (br_if $sumDone (i32.eqz (local.get $p)))
                    (f64.store (local.get $dst) (f64.load (local.get $at)))
                    (f64.store offset=8 (local.get $dst) (f64.load (i32.add (local.get $at) (local.get $step))))
                    (f64.store offset=16 (local.get $dst) (f64.load (i32.add (local.get $at) (i32.shl (local.get $step) (i32.const 1)))))
                    (f64.store offset=24 (local.get $dst) (f64.load (i32.add (local.get $at) (i32.mul (local.get $step) (i32.const 3)))))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                    (local.set $at (i32.add (local.get $at) (local.get $sumStep)))
                    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                    (br $sum)))))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $panels))))

  (func (export "multiply")
    (param $a i32) (param $aRowStep i32) (param $aSumStep i32)
    (param $b i32) (param $bSumStep i32) (param $bColumnStep i32)
    (param $init i32) (param $out i32) (param $m i32) (param $n i32) (param $k i32)
    (param $aPanels i32) (param $bPanels i32) (param $initPanels i32) (param $tile i32)
    (local $i i32) (local $j i32) (local $p i32) (local $r i32) (local $c i32)
    (local $aPanel i32) (local $bPanel i32) (local $ap i32) (local $bp i32) (local $ip i32) (local $op i32)
    (local $rows i32) (local $columns i32) (local $outRow i32)
    (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (call $pack (local.get $a) (local.get $aPanels) (local.get $m) (local.get $k) (local.get $aRowStep) (local.get $aSumStep))
    (call $pack (local.get $b) (local.get $bPanels) (local.get $n) (local.get $k) (local.get $bColumnStep) (local.get $bSumStep))
    (call $pack (local.get $init) (local.get $initPanels) (local.get $n) (i32.const 1) (i32.const 1) (i32.const 0))
    (local.set $outRow (i32.shl (local.get $n) (i32.const 3)))

    ;; Columns four at a time (a panel of B and its four initial values) ...
    (local.set $bPanel (local.get $bPanels))
    (local.set $ip (local.get $initPanels))
    (block $columnsDone
      (loop $columns
        (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $n)))
        ;; ... and rows four at a time (a panel of A).
        (local.set $aPanel (local.get $aPanels))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $s00 (v128.load (local.get $ip))) (local.set $s01 (v128.load offset=16 (local.get $ip)))
            (local.set $s10 (local.get $s00)) (local.set $s11 (local.get $s01))
            (local.set $s20 (local.get $s00)) (local.set $s21 (local.get $s01))
            (local.set $s30 (local.get $s00)) (local.set $s31 (local.get $s01))
            (local.set $ap (local.get $aPanel))
            (local.set $bp (local.get $bPanel))
            (local.set $p (local.get $k))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.eqz (local.get $p)))
                (local.set $y0 (v128.load (local.get $bp)))
                (local.set $y1 (v128.load offset=16 (local.get $bp)))
                (local.set $x (v128.load64_splat (local.get $ap)))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (v128.load64_splat offset=8 (local.get $ap)))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (v128.load64_splat offset=16 (local.get $ap)))
                (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $x (v128.load64_splat offset=24 (local.get $ap)))
                (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $x) (local.get $y0))))
                (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $x) (local.get $y1))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
                (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $rows (i32.sub (local.get $m) (local.get $i)))
            (local.set $columns (i32.sub (local.get $n) (local.get $j)))
            (if (i32.and (i32.ge_u (local.get $rows) (i32.const 4)) (i32.ge_u (local.get $columns) (i32.const 4)))
              (then
                ;; A whole tile: straight into out.
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
                (v128.store offset=16 (local.get $op) (local.get $s31)))
              (else
                ;; A tile over the edge: through `tile` (4 × 4), then only its rows and columns inside out.
                (v128.store (local.get $tile) (local.get $s00))
                (v128.store offset=16 (local.get $tile) (local.get $s01))
                (v128.store offset=32 (local.get $tile) (local.get $s10))
                (v128.store offset=48 (local.get $tile) (local.get $s11))
                (v128.store offset=64 (local.get $tile) (local.get $s20))
                (v128.store offset=80 (local.get $tile) (local.get $s21))
                (v128.store offset=96 (local.get $tile) (local.get $s30))
                (v128.store offset=112 (local.get $tile) (local.get $s31))
                (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
                (if (i32.gt_u (local.get $columns) (i32.const 4)) (then (local.set $columns (i32.const 4))))
                (local.set $r (i32.const 0))
                (block $tileRowsDone
                  (loop $tileRows
                    (br_if $tileRowsDone (i32.ge_u (local.get $r) (local.get $rows)))
                    (local.set $op (i32.add (local.get $out)
                      (i32.add (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $outRow)) (i32.shl (local.get $j) (i32.const 3)))))
                    (local.set $c (i32.const 0))
                    (block $tileColumnsDone
                      (loop $tileColumns
                        (br_if $tileColumnsDone (i32.ge_u (local.get $c) (local.get $columns)))
                        (f64.store
                          (i32.add (local.get $op) (i32.shl (local.get $c) (i32.const 3)))
                          (f64.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 2)) (local.get $c)) (i32.const 3)))))
                        (local.set $c (i32.add (local.get $c) (i32.const 1)))
                        (br $tileColumns)))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $tileRows)))))
            (local.set $aPanel (i32.add (local.get $aPanel) (i32.shl (local.get $k) (i32.const 5))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows)))
        (local.set $bPanel (i32.add (local.get $bPanel) (i32.shl (local.get $k) (i32.const 5))))
        (local.set $ip (i32.add (local.get $ip) (i32.const 32)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $columns)))))
