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
        var threads = new BlockingThreads(TimeSpan.FromMilliseconds(50));
        using var release = new ManualResetEventSlim();
        var blocked = threads.Run(() => release.Wait(TimeSpan.FromSeconds(10)));
        await threads.Run(() => { }).WaitAsync(TimeSpan.FromSeconds(5));
        release.Set();
        await blocked;
        Assert.Equal(2, threads.Threads);
        for (var waited = 0; threads.Threads > 1 && waited < 5000; waited += 20)
            await Task.Delay(20);
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
        // Many lifetimes later the kept thread is still there for the next call.
        await Task.Delay(300);
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
        await threads.Run(() => { });
        Assert.Equal(BlockingThreads.KeptIdle, threads.Threads);
    }
}
