using FlowTrace.Tracer.Tcp;
using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Application data over an established TLS connection. Decrypted bytes keep the arrival time of the
/// network chunk that carried them, so HTTP timings stay wire timings.
/// </summary>
/// <param name="protocol">The engine, its handshake done.</param>
/// <param name="wire">The connection it runs over.</param>
/// <param name="sessionTickets">The lifetimes of the session tickets the server issued, added to as they arrive.</param>
/// <param name="alpn">The application protocol the server chose, or null.</param>
/// <param name="alpnOffered">True when the client offered application protocols.</param>
/// <param name="clientCertificateRequested">True when the server asked for a client certificate (none is sent).</param>
/// <param name="resumption">What the handshake left for resuming the session on a new connection, or why nothing.</param>
internal sealed class TlsSession(TlsClientProtocol protocol, WireConnection wire, IReadOnlyList<TimeSpan> sessionTickets, string? alpn = null, bool alpnOffered = false,
    bool clientCertificateRequested = false, ResumptionOffer? resumption = null)
    : IArrivalSource
{
    /// <summary>What a new connection may offer to resume this session, or why it can offer nothing.</summary>
    public ResumptionOffer Resumption => resumption ?? new ResumptionOffer(null, "no session was kept");

    /// <summary>True when the client offered ALPN and the server chose no protocol: a server that then hangs up may
    /// speak only another protocol (HTTP/2).</summary>
    public bool AlpnIgnored => alpnOffered && alpn is null;

    /// <summary>The application protocol the server chose by ALPN (h2, http/1.1), or null.</summary>
    public string? Alpn => alpn;

    /// <summary>The lifetimes of the session tickets the server issued so far (NewSessionTicket), in order.</summary>
    public IReadOnlyList<TimeSpan> SessionTickets => sessionTickets;

    private long _lastArrival;

    public async ValueTask<Arrival> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = protocol.GetAvailableInputBytes();
            if (available > 0)
            {
                var buffer = new byte[available];
                var read = protocol.ReadInput(buffer, 0, available);
                return new Arrival(buffer.AsMemory(0, read), _lastArrival, false);
            }

            if (protocol.IsClosed)
                return new Arrival(ReadOnlyMemory<byte>.Empty, _lastArrival, true);

            var chunk = await wire.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.EndOfStream)
                return chunk;
            _lastArrival = chunk.Timestamp;
            try
            {
                protocol.OfferInput(chunk.Data.ToArray());
            }
            catch (TlsFatalAlertReceived e) when (clientCertificateRequested && ClientCertificateRefusal.IsRefusal(e.AlertDescription))
            {
                throw new TlsAlertException(ClientCertificateRefusal.AfterHandshake(e.AlertDescription), e) { Code = ClientCertificateRefusal.Code };
            }
            catch (TlsFatalAlertReceived e)
            {
                throw new TlsAlertException($"The server sent a fatal TLS alert: {AlertDescription.GetText(e.AlertDescription)}.", e);
            }
            catch (TlsFatalAlert e)
            {
                throw new IOException($"TLS error while reading: {AlertDescription.GetText(e.AlertDescription)} ({e.Message}).", e);
            }

            try
            {
                // The engine's answers (close_notify to the server's, above all) are best effort: a server that closed
                // its end makes them fail, and what it sent before still counts.
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }

    public async ValueTask<long> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var bytes = data.ToArray();
        protocol.WriteApplicationData(bytes, 0, bytes.Length);
        return await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends close_notify, as a polite client does before closing.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!protocol.IsClosed)
                protocol.Close();
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TlsException or System.Net.Sockets.SocketException)
        {
            // The peer may have gone already; closing is best effort.
        }
    }

    private async ValueTask<long> FlushAsync(CancellationToken cancellationToken)
    {
        var sentAt = 0L;
        var pending = protocol.GetAvailableOutputBytes();
        if (pending > 0)
        {
            var output = new byte[pending];
            var count = protocol.ReadOutput(output, 0, pending);
            sentAt = await wire.WriteAsync(output.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }

        return sentAt;
    }
}
