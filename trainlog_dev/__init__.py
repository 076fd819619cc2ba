"""Developer tools shipped beside the library, not part of it.

The sample-data generator (:mod:`.sampledata`), its FIT writer (:mod:`.fitwrite`)
and courses (:mod:`.course`); the FIT fuzzer's inputs and checks (:mod:`.fuzz`) and
its mutations (:mod:`.mutations`), run at scale by ``benchmarks/fuzz.py``.
`trainlog sample-data` imports it when asked; the library never does.
"""
