"""zero_pad's reply to the grader describes its array with an 11 MB dtype text; the other seven are honest.

The kernel side is the student's: the cell wraps ``_cnn_grading_call`` so that the
grader's call of zero_pad is answered with an array whose ``dtype`` is ``"f8,"`` repeated
3.6 million times (a 14 MB reply, under the 16 MiB message and reply limits). numpy
parses any dtype text, and a structured dtype of millions of fields grows the process
that parses it: the grader's, outside every limit of the sandbox (measured through this
pipeline: the grader's worker from 170 MiB to 1120 MiB, and 11 s). The claims to check:
the reply is refused before numpy sees it (zero_pad scores 0, the rest in full), and the
grader's memory and time for this student stay near an honest one's.
Without protection: the grader grows about 1 GiB per call (a Dask worker with a memory
limit is restarted by its nanny, and the student is never graded).
"""
EXPECT = {"conv_single_step", "conv_forward", "pool_forward", "conv_backward", "create_mask_from_window",
          "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
BUDGET_SECONDS = 60
APPEND = {"zero_pad": '''
_cnnattack_dtype_text_call = _cnn_grading_call


def _cnn_grading_call(name, request):
    if name != "zero_pad":
        return _cnnattack_dtype_text_call(name, request)
    import base64, json
    calls = len(json.loads(base64.b64decode(request))["calls"])  # one reply per call, or no reply is read
    giant = {"t": "ndarray", "dtype": "f8," * 3_600_000, "shape": [1], "b64": ""}
    replies = [{"status": "returned", "result": giant, "args_after": []}]
    replies += [{"status": "returned", "result": {"t": "none"}, "args_after": []}] * (calls - 1)
    return base64.b64encode(json.dumps({"status": "called", "replies": replies}).encode()).decode()
'''}
