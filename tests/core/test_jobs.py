import asyncio

from qunshang import jobs
from qunshang.jobs.models import JobSchedule


def _counting_job(name="test.count", every=60):
    runs = []

    async def work(runtime):
        runs.append(runtime.now())
        await asyncio.sleep(0)

    return jobs.Job(name, every, work), runs


async def test_due_job_runs_once_however_many_runners_poll(client, clock):
    job, runs = _counting_job()
    registry = {job.name: job}
    results = await asyncio.gather(*(jobs.run_due(client.runtime, registry, f"w{i}") for i in range(5)))
    assert len(runs) == 1
    assert sum(len(r) for r in results) == 1
    clock.advance(seconds=30)
    await jobs.run_due(client.runtime, registry, "w0")
    assert len(runs) == 1  # not due yet
    clock.advance(seconds=31)
    await asyncio.gather(*(jobs.run_due(client.runtime, registry, f"w{i}") for i in range(5)))
    assert len(runs) == 2
    row = await JobSchedule.get(name=job.name)
    assert row.runs == 2 and row.last_error == ""


async def test_failing_job_is_recorded_and_others_still_run(client):
    job, runs = _counting_job("test.ok")

    def broken(runtime):
        raise RuntimeError("boom")

    registry = {"test.broken": jobs.Job("test.broken", 60, broken), job.name: job}
    ran = await jobs.run_due(client.runtime, registry, "w")
    assert set(ran) == {"test.broken", "test.ok"} and len(runs) == 1
    assert (await JobSchedule.get(name="test.broken")).last_error == "RuntimeError: boom"


async def test_run_forever_stops_when_asked(client):
    stop = asyncio.Event()
    task = asyncio.create_task(jobs.run_forever(client.runtime, tick=0.01, stop=stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 2)
