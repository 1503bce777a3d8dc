namespace FlowTrace.Tracer.Tcp;

/// <summary>
/// Threads for the tracer's blocking socket calls (connect, the eager reader), kept between traces. Starting a thread
/// costs about 0.6 ms here, and a trace needs two (one connect, one reader): with new threads each time that was most of
/// the TCP step's client time. A call waits for no other: when no thread is idle, a new one starts; an idle thread
/// ends after an idle lifetime, except the last <see cref="KeptIdle"/>, so that the first trace after a quiet hour finds
/// a thread waiting as the hundredth does (a parked thread costs no CPU).
/// </summary>
internal sealed class BlockingThreads(TimeSpan? idleLifetime = null)
{
    /// <summary>How long a thread beyond <see cref="KeptIdle"/> waits for work before it ends.</summary>
    public static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Threads that stay however long they wait: a trace's connect and its reader, one after the other.</summary>
    public const int KeptIdle = 1;

    private readonly TimeSpan _idleLifetime = idleLifetime ?? DefaultIdleLifetime;

    private readonly object _gate = new();
    private readonly Queue<WorkItem> _work = new();
    private int _idle;

    /// <summary>Threads alive now (idle or busy).</summary>
    public int Threads { get; private set; }

    /// <summary>Runs <paramref name="work"/> on a thread of its own; the task's continuations run on the thread pool,
    /// never on that thread.</summary>
    public Task Run(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var item = new WorkItem(work, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _work.Enqueue(item);
            if (_idle >= _work.Count)
            {
                Monitor.Pulse(_gate);
                return item.Done.Task;
            }

            Threads++;
        }

        new Thread(Loop) { IsBackground = true, Name = "FlowTrace blocking I/O" }.Start();
        return item.Done.Task;
    }

    private void Loop()
    {
        WorkItem? item = null;
        while (true)
        {
            Exception? failure = null;
            if (item is not null)
            {
                try
                {
                    item.Work();
                }
#pragma warning disable CA1031 // The exception goes to the task, as Task.Run would hand it over.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }
            }

            lock (_gate)
            {
                // Idle before the caller hears of the result, so its next call finds this thread rather than starting one.
                _idle++;
                if (item is not null)
                    Complete(item.Done, failure);
                while (_work.Count == 0)
                {
                    if (!Monitor.Wait(_gate, _idleLifetime) && _work.Count == 0 && Threads > KeptIdle)
                    {
                        _idle--;
                        Threads--;
                        return;
                    }
                }

                _idle--;
                item = _work.Dequeue();
            }
        }
    }

    private static void Complete(TaskCompletionSource done, Exception? failure)
    {
        if (failure is null)
            done.SetResult();
        else if (failure is OperationCanceledException cancelled)
            done.TrySetCanceled(cancelled.CancellationToken);
        else
            done.SetException(failure);
    }

    private sealed record WorkItem(Action Work, TaskCompletionSource Done);
}
