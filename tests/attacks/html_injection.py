"""Put HTML and script into the failure messages that the feedback page and the class report quote.

Nothing is implemented: each function raises an exception whose message is markup, a
``<script>`` and an ``<img onerror>``. A report that pastes messages without escaping
runs the student's script in the instructor's (and the student's) browser: the class
report holds every student's grades.
Without protection: nothing if every page escapes messages (this pipeline's reports do);
script in the instructor's browser otherwise.
"""
BASE = "release"
EXPECT = set()
PAYLOAD = ('<script>/*cnnattack_html_injection*/document.title="pwned"</script>'
           '<img src=x onerror="/*cnnattack_html_injection*/alert(1)">')
SIGNATURES = {"zero_pad": "X, pad", "conv_single_step": "a_slice_prev, W, b", "conv_forward": "A_prev, W, b, hparameters",
              "pool_forward": 'A_prev, hparameters, mode="max"', "conv_backward": "dZ, cache",
              "create_mask_from_window": "x", "distribute_value": "dz, shape", "pool_backward": 'dA, cache, mode="max"'}
ANSWERS = {name: f"def {name}({args}):\n    raise ValueError({PAYLOAD!r})\n" for name, args in SIGNATURES.items()}
