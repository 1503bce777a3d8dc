using FlowTrace.Tracer.Tcp;

namespace FlowTrace.Tracer.Tests.Tcp;

public sealed class BlockingThreadsTests
{
    [Fact]
    public async Task Run_OneAfterAnother_ReusesOneThread()
    {
        var threads = new BlockingThreads();
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
            await threads.Run(() => ids.Add(Environment.CurrentManagedThreadId));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, threads.Threads);
    }

    [Fact]
    public async Task Run_BlockedWork_DoesNotHoldUpTheNext()
    {
        var threads = new BlockingThreads();
        using var release = new ManualResetEventSlim();
        var blocked = threads.Run(() => release.Wait(TimeSpan.FromSeconds(10)));
        // The second call must run while the first still blocks its thread.
        await threads.Run(() => { }).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(blocked.IsCompleted);
        Assert.Equal(2, threads.Threads);
        release.Set();
        await blocked;
    }

    [Fact]
    public async Task Run_WorkThrows_TheTaskCarriesTheException()
    {
        var threads = new BlockingThreads();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => threads.Run(() => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", e.Message);
        // The thread survives the exception and serves the next call.
        await threads.Run(() => { });
        Assert.Equal(1, threads.Threads);
    }

    [Fact]
    public async Task Run_IdlePastTheLifetime_ExtraThreadsEndButOneStays()
    {
        var lifetime = TimeSpan.FromMilliseconds(300);
        var threads = new BlockingThreads(lifetime);
        using var release = new ManualResetEventSlim();
        var blocked = threads.Run(() => release.Wait(TimeSpan.FromSeconds(10)));
        // Two threads while the first one blocks, counted from inside the second call's work (counted after it, on a
        // busy machine the second thread may already have outlived its short lifetime and ended).
        var whileBlocked = 0;
        await threads.Run(() => whileBlocked = threads.Threads).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, whileBlocked);
        release.Set();
        await blocked;
        for (var waited = 0; threads.Threads > BlockingThreads.KeptIdle && waited < 10_000; waited += 20)
            await Task.Delay(20);
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
        // Several lifetimes later the kept thread is still there for the next call.
        await Task.Delay(lifetime * 3);
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
        await threads.Run(() => { });
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
    }
}
