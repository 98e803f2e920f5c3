"""Start 8 threads that keep every core busy for 20 seconds while the checks run.

All eight functions are honest. The zero_pad cell starts 8 daemon threads that multiply
matrices (numpy releases the GIL, so they really use every core they get) for 20 s.
Bounded: 20 s; the real attack spins forever and slows every other student's grading
(and their cell timeouts) on the machine.
Without protection: every core of the grading machine busy while it is graded.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import threading as _threading
import time as _time


def _spin(seconds=20.0):
    block = np.random.rand(300, 300)
    end = _time.monotonic() + seconds
    while _time.monotonic() < end:
        block = np.tanh(block @ block)


for _ in range(8):
    _threading.Thread(target=_spin, daemon=True).start()
'''}
