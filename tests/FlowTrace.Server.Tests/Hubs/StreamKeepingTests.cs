using System.Runtime.CompilerServices;
using FlowTrace.Server.Hubs;

namespace FlowTrace.Server.Tests.Hubs;

public sealed class StreamKeepingTests
{
    [Fact]
    public async Task KeepingAsync_ConsumerCancelledFirst_KeepsWhatTheSourceTellsAfterwards()
    {
        using var stop = new CancellationTokenSource();
        IReadOnlyList<string>? kept = null;
        var seen = new List<string>();
        try
        {
            await foreach (var item in Source(stop.Token).KeepingAsync(items => { kept = items; return Task.CompletedTask; }, stop.Token))
            {
                seen.Add(item);
                await stop.CancelAsync();
                stop.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(["first"], seen);
        Assert.Equal(["first", "failed: cancelled", "summary"], kept);
    }

    [Fact]
    public async Task KeepingAsync_SourceEnds_KeepsEveryItemOnce()
    {
        IReadOnlyList<string>? kept = null;
        var seen = new List<string>();
        await foreach (var item in Source(CancellationToken.None).KeepingAsync(items => { kept = items; return Task.CompletedTask; }))
            seen.Add(item);

        Assert.Equal(["first", "second"], seen);
        Assert.Equal(seen, kept);
    }

    [Fact]
    public async Task KeepingAsync_SourceThrowsOnCancellation_KeepsWhatItYielded()
    {
        using var stop = new CancellationTokenSource();
        IReadOnlyList<string>? kept = null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Throwing(stop.Token).KeepingAsync(items => { kept = items; return Task.CompletedTask; }, stop.Token))
            {
                await stop.CancelAsync();
                stop.Token.ThrowIfCancellationRequested();
            }
        });

        Assert.Equal(["first"], kept);
    }

    /// <summary>Like the tracer: on cancellation it tells the step that failed and ends with a summary.</summary>
    private static async IAsyncEnumerable<string> Source([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "first";
        await Task.Yield();
        if (cancellationToken.IsCancellationRequested)
        {
            yield return "failed: cancelled";
            yield return "summary";
            yield break;
        }

        yield return "second";
    }

    private static async IAsyncEnumerable<string> Throwing([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "first";
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        yield return "second";
    }
}
