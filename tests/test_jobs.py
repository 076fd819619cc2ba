"""Background import jobs (dashboards/jobs.py): ids, progress, errors, the upload folder's cleanup."""

import time

import pytest

from dashboards import jobs
from trainlog.ingest.importer import FileResult


def wait(job, timeout_s=10.0):
    """The job once its thread has ended."""
    end = time.monotonic() + timeout_s
    while not job.done:
        assert time.monotonic() < end, "the job did not end"
        time.sleep(0.01)
    return job


def test_a_job_reports_its_plan_and_results_and_removes_its_folder(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    board = jobs.Jobs()

    def work(*, on_plan, on_result):
        on_plan(2)
        on_result(FileResult(str(folder / "000-a.fit"), "imported", None))
        on_plan(1)
        on_result(FileResult(str(folder / "001-b.zip") + "!/x/run.fit", "duplicate", "seen before"))

    job = wait(board.start(work, "mara", cleanup=folder,
                           names={str(folder / "000-a.fit"): "a.fit", str(folder / "001-b.zip"): "b.zip"}))
    assert jobs.JOB_ID.fullmatch(job.id) and board.get(job.id) is job
    assert (job.athlete, job.total, job.error) == ("mara", 3, None)
    assert job.rows() == [{"file": "a.fit", "outcome": "imported", "detail": None},
                          {"file": "b.zip!/x/run.fit", "outcome": "duplicate", "detail": "seen before"}]
    assert not folder.exists()


def test_a_failing_job_says_why_and_ends():
    def work(*, on_plan, on_result):
        raise OSError("disk full")

    job = wait(jobs.Jobs().start(work))
    assert job.done and job.error == "OSError: disk full" and job.athlete is None


@pytest.mark.parametrize("job_id", [None, 7, "", "../etc", "0" * 31, "0" * 32, ["0" * 32]])
def test_only_a_known_job_id_finds_a_job(job_id):
    assert jobs.Jobs().get(job_id) is None


def test_a_file_the_user_did_not_name_shows_its_own_name():
    job = jobs.ImportJob("0" * 32, display_names={"/tmp/x/000-a.fit": "a.fit"})
    assert job.display_name("/elsewhere/run.fit") == "run.fit"
