using System.Runtime.CompilerServices;

namespace FlowTrace.Server.Hubs;

/// <summary>Streams that are kept when they end.</summary>
public static class StreamKeeping
{
    /// <summary>Yields the items as they come and, however the stream ends (completed, failed or cancelled), hands every
    /// item the source produced to <paramref name="ended"/>.</summary>
    /// <remarks>When the consumer stops early because <paramref name="cancellationToken"/> was cancelled (a closed tab),
    /// the source, which sees the same token, still tells how it ended (the tracer's failed step and summary); those
    /// items are read to the source's end and kept too, so what is kept does not depend on which side noticed the
    /// cancellation first.</remarks>
    public static async IAsyncEnumerable<T> KeepingAsync<T>(this IAsyncEnumerable<T> items, Func<IReadOnlyList<T>, Task> ended,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(ended);
        var kept = new List<T>();
        var enumerator = items.GetAsyncEnumerator(cancellationToken);
        var finished = false;
        try
        {
            while (true)
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    finished = true;
                    break;
                }

                kept.Add(enumerator.Current);
                yield return enumerator.Current;
            }
        }
        finally
        {
            try
            {
                if (!finished && cancellationToken.IsCancellationRequested)
                    await DrainAsync(enumerator, kept).ConfigureAwait(false);
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
                await ended(kept).ConfigureAwait(false);
            }
        }
    }

    private static async Task DrainAsync<T>(IAsyncEnumerator<T> enumerator, List<T> kept)
    {
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                kept.Add(enumerator.Current);
        }
        catch (OperationCanceledException)
        {
            // The source stopped without telling more: what it yielded so far is kept.
        }
    }
}
