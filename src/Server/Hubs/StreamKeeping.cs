using System.Runtime.CompilerServices;

namespace FlowTrace.Server.Hubs;

/// <summary>Streams that are kept when they end.</summary>
public static class StreamKeeping
{
    /// <summary>Yields the items as they come and, however the stream ends (completed, failed or cancelled), hands every
    /// item it yielded to <paramref name="ended"/>.</summary>
    public static async IAsyncEnumerable<T> KeepingAsync<T>(this IAsyncEnumerable<T> items, Func<IReadOnlyList<T>, Task> ended,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(ended);
        var kept = new List<T>();
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                kept.Add(item);
                yield return item;
            }
        }
        finally
        {
            await ended(kept).ConfigureAwait(false);
        }
    }
}
