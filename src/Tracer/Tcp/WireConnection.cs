using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tcp;

/// <summary>
/// A connected socket that is read eagerly by its own loop, so every chunk is time-stamped when it
/// arrives, not when a parser or the TLS engine gets round to it.
/// </summary>
internal sealed class WireConnection : IArrivalSource, IAsyncDisposable
{
    private const int ReceiveBufferSize = 64 * 1024;
    private readonly Socket _socket;
    private readonly Func<long> _clock;
    private readonly Channel<Arrival> _incoming = Channel.CreateUnbounded<Arrival>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private readonly TimeSpan _writeTimeout;
    private readonly KernelReceiver? _kernel;
    private int _disposed;

    /// <param name="socket">A connected socket in blocking mode.</param>
    /// <param name="clock">The trace's clock.</param>
    /// <param name="writeTimeout">How long one write may wait for the peer to take the bytes.</param>
    /// <param name="clockIsStopwatch">True when <paramref name="clock"/> reads the stopwatch, so the kernel's receive
    /// timestamps can be put on its scale; otherwise (a test's fake time) arrivals are stamped by the reader.</param>
    /// <param name="threads">Where the reader runs.</param>
    public WireConnection(Socket socket, Func<long> clock, TimeSpan writeTimeout, bool clockIsStopwatch, BlockingThreads threads)
    {
        _socket = socket;
        _kernel = clockIsStopwatch ? KernelReceiver.TryCreate(socket) : null;
        _writeTimeout = writeTimeout;
        _socket.SendTimeout = (int)Math.Clamp(writeTimeout.TotalMilliseconds, 1, int.MaxValue);
        _clock = clock;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        // A dedicated thread blocked in recv() stamps each chunk the moment the kernel hands it over (or takes the
        // kernel's own arrival stamp, where the platform gives one); an async
        // continuation would first wait for a thread-pool thread, which shows up as false network time.
        _readLoop = threads.Run(ReadLoop);
    }

    public IPEndPoint LocalEndPoint { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>When the peer's FIN (or reset) was seen, if it was.</summary>
    public long? PeerClosedAt { get; private set; }

    /// <summary>True once the peer has closed or reset the connection.</summary>
    public bool PeerClosed => PeerClosedAt is not null;

    /// <summary>The socket error that ended reading, if any (a reset, for example).</summary>
    public SocketError? ReadError { get; private set; }

    /// <summary>The kernel's smoothed RTT estimate, where the platform exposes it.</summary>
    public TimeSpan? KernelRtt() => KernelView()?.Rtt;

    /// <summary>The kernel's RTT estimate and, right after connecting, its SYN→SYN/ACK time (see <see cref="TcpInfo.TryRead"/>).</summary>
    public (TimeSpan Rtt, TimeSpan? Handshake)? KernelView() => TcpInfo.TryRead(_socket);

    public async ValueTask<Arrival> ReadAsync(CancellationToken cancellationToken)
    {
        if (await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) &&
            _incoming.Reader.TryRead(out var arrival))
            return arrival;
        return new Arrival(ReadOnlyMemory<byte>.Empty, PeerClosedAt ?? _clock(), true);
    }

    /// <summary>
    /// Sends every byte; returns the timestamp taken just before the last send call, which is when the last bytes
    /// left. (Taken after the call, it would include the wait for this continuation to be scheduled, and on loopback
    /// the answer can arrive before that.)
    /// </summary>
    /// <remarks>
    /// The sends are blocking calls on purpose. The first asynchronous operation on a .NET socket switches it to
    /// non-blocking mode for good, after which the reader thread's blocking receive is emulated: the thread waits
    /// for the runtime's epoll thread to signal it, one more thread wake-up inside every arrival stamp (measured on
    /// loopback: about 90 µs more error in time to first byte). A request or a TLS flight fits in the kernel's send
    /// buffer, so the call returns at once; a peer that stops reading is bounded by the send timeout, and
    /// cancellation closes the socket, which ends a blocked call.
    /// </remarks>
    public ValueTask<long> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var closeOnCancel = cancellationToken.Register(static socket => ((Socket)socket!).Dispose(), _socket);
        var lastSend = _clock();
        try
        {
            while (!data.IsEmpty)
            {
                lastSend = _clock();
                data = data[_socket.Send(data.Span, SocketFlags.None)..];
            }
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SocketException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TimedOut)
        {
            throw new IOException($"The peer took no more data for {Format.Duration(_writeTimeout)}: it stopped reading.", e);
        }
        catch (SocketException e)
        {
            // Every caller handles IOException: a write to a peer that already closed (EPIPE, reset) is one.
            throw new IOException(e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted
                ? $"The peer had already closed the connection ({e.Message})."
                : $"Sending failed: {e.Message}", e);
        }

        return ValueTask.FromResult(lastSend);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to shut down.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _readLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void ReadLoop()
    {
        try
        {
            // One buffer for the connection's life; each chunk leaves as an exact-size copy, so a 300-byte TLS
            // record does not cost a fresh 64 KiB array (most of a trace's allocations, and so its GC pauses).
            var buffer = new byte[ReceiveBufferSize];
            while (!_stop.IsCancellationRequested)
            {
                long? arrivedAt = null;
                var read = _kernel is null ? _socket.Receive(buffer, SocketFlags.None) : _kernel.Receive(buffer, out arrivedAt);
                var at = _clock();
                if (read == 0)
                {
                    PeerClosedAt = at;
                    break;
                }

                // The kernel's stamp is when the data reached this host; the reader's own is later by its wake-up.
                // A kernel stamp later than the reader's could only come from a clock mismatch: then the reader's wins.
                _incoming.Writer.TryWrite(new Arrival(buffer.AsSpan(0, read).ToArray(), arrivedAt is { } kernel && kernel <= at ? kernel : at, false));
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException e)
        {
            if (!_stop.IsCancellationRequested)
            {
                ReadError = e.SocketErrorCode;
                PeerClosedAt = _clock();
            }
        }
        finally
        {
            _incoming.Writer.TryComplete();
        }
    }
}
