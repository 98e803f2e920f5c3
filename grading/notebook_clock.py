"""A notebook's time: each cell's timeout, the notebook's time limit, and the budget after a timeout.

``NotebookClock``, a part of ``TrustedExecute``, says how long the next kernel call may take
(``current_timeout``), and why nothing more may run (``out_of_time``). Once a cell has timed out, every
later cell and call gets a short timeout from a small budget, which ``spend`` draws down.
"""
import time


class NotebookClock:
    """The notebook's clocks (a part of ``TrustedExecute``; its traits set the limits)."""

    def _get_timeout(self, cell=None):
        """The timeout nbclient gives the cell it runs: what current_timeout() allowed it (seconds, float)."""
        return getattr(self, "call_timeout", None) or self.timeout

    # ---------------------------------------------------------------- time
    def current_timeout(self, floor=0.5):
        """Seconds the next kernel call may take: the cell's and the notebook's time left, and once a
        cell has timed out, a short timeout from what is left of the budget."""
        now = time.monotonic()
        seconds = min(self.cell_deadline - now, self.notebook_deadline - now)
        if self.budget_left is not None:
            seconds = min(seconds, self.timeout_after_timeout, self.budget_left)
        return max(floor, seconds)

    def notebook_time_left(self):
        return self.notebook_deadline - time.monotonic()

    def replay_timeout(self):
        """A replayed cell's timeout: as a call's, but its floor never reaches past the notebook's deadline
        (the cell that killed the kernel has usually used up its own time)."""
        return self.current_timeout(floor=min(0.5, self.notebook_time_left()))

    def out_of_time(self):
        """Why nothing more may run in the kernel now (a sentence naming the time limit), or None."""
        now = time.monotonic()
        if now >= self.notebook_deadline:
            return f"the notebook used up its time limit ({self.notebook_time_limit} s for all its cells)"
        if self.budget_left is not None and self.budget_left <= 0:
            return "an earlier cell timed out and the time the notebook had left was used up (time limit)"
        if now >= self.cell_deadline:
            return f"the cell used up its time limit ({self.cell_timeout:g} s)"
        return None

    def start_budget(self):
        if self.budget_left is None:
            self.budget_left = float(self.budget_after_timeout)

    def spend(self, seconds, budget_was_running):
        if budget_was_running:
            self.budget_left -= seconds
