using FlowTrace.Tracer.Tcp;

namespace FlowTrace.Tracer.Http;

/// <summary>A buffer over an <see cref="IArrivalSource"/> that remembers when its first and latest bytes arrived.</summary>
internal sealed class ArrivalReader(IArrivalSource source)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public int Count => _end - _start;

    public long? FirstArrival { get; private set; }

    public long LastArrival { get; private set; }

    public bool EndOfStream { get; private set; }

    /// <summary>Reads one more piece; false at the end of the stream.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (EndOfStream)
            return false;
        var arrival = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (arrival.EndOfStream)
        {
            EndOfStream = true;
            return false;
        }

        FirstArrival ??= arrival.Timestamp;
        LastArrival = arrival.Timestamp;
        Append(arrival.Data.Span);
        return true;
    }

    public void Consume(int count) => _start += count;

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_end + data.Length > _buffer.Length)
        {
            var live = _end - _start;
            var target = _buffer.Length;
            while (live + data.Length > target)
                target *= 2;
            var next = target == _buffer.Length ? _buffer : new byte[target];
            Buffer.BlockCopy(_buffer, _start, next, 0, live);
            _buffer = next;
            _start = 0;
            _end = live;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }
}
