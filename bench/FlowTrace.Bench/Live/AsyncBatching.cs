using System.Runtime.CompilerServices;

namespace FlowTrace.Bench.Live;

/// <summary>Groups the items of an async stream that are available at once.</summary>
public static class AsyncBatching
{
    /// <summary>
    /// Yields every item that is ready without waiting together with the ones before it; a batch goes out as soon as
    /// the next item would need a wait, so no item is held back.
    /// </summary>
    public static async IAsyncEnumerable<T[]> Batched<T>(this IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        var batch = new List<T>();
        var next = items.MoveNextAsync();
        while (true)
        {
            if (!next.IsCompleted && batch.Count > 0)
            {
                yield return [.. batch];
                batch.Clear();
            }

            if (!await next)
                break;
            batch.Add(items.Current);
            next = items.MoveNextAsync();
        }

        if (batch.Count > 0)
            yield return [.. batch];
    }
}
