"""Developer tools shipped beside the library, not part of it.

The sample-data generator (:mod:`.sampledata`), its FIT writer (:mod:`.fitwrite`)
and courses (:mod:`.course`), and the FIT fuzzer's mutations. `trainlog sample-data`
imports it when asked; the library never does.
"""
