using System.Collections.Concurrent;

namespace FlowTrace.Server.Tracing;

/// <summary>Step mode: one gate per running trace, opened by the "Next step" call of the connection that owns it.</summary>
public sealed class StepGates
{
    private readonly ConcurrentDictionary<(string Connection, string Trace), SemaphoreSlim> _gates = new();

    /// <summary>Creates the gate of a trace; dispose the result when the trace ends.</summary>
    public IDisposable Register(string connectionId, string traceId, out Func<CancellationToken, Task> waitForNext)
    {
        var key = (connectionId, traceId);
        var gate = new SemaphoreSlim(0);
        if (!_gates.TryAdd(key, gate))
        {
            gate.Dispose();
            throw new InvalidOperationException($"Trace id '{traceId}' is already running on this connection.");
        }

        waitForNext = gate.WaitAsync;
        return new Registration(() =>
        {
            if (_gates.TryRemove(key, out var removed))
                removed.Dispose();
        });
    }

    /// <summary>Lets a paused trace run its next step. Returns false when no such trace is running.</summary>
    public bool Next(string connectionId, string traceId)
    {
        if (!_gates.TryGetValue((connectionId, traceId), out var gate))
            return false;
        try
        {
            if (gate.CurrentCount == 0)
                gate.Release();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
