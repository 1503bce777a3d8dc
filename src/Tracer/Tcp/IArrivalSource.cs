namespace FlowTrace.Tracer.Tcp;

/// <summary>A byte stream whose every piece carries its arrival time: a plain connection or a TLS session.</summary>
internal interface IArrivalSource
{
    /// <summary>Returns the next piece of data, or an end-of-stream arrival.</summary>
    ValueTask<Arrival> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes bytes to the peer; returns the trace-clock timestamp at which the last bytes were handed to the network.</summary>
    ValueTask<long> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
