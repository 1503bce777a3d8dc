using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Splits one direction of a TLS byte stream into records as they complete, reading only the plain-text
/// record headers (and handshake headers while the handshake is still unencrypted).
/// </summary>
/// <param name="direction">Which way these bytes travel.</param>
/// <param name="peer">The other direction's scanner, whose ServerHello tells this one whether TLS 1.3 was chosen.</param>
internal sealed class TlsRecordScanner(WireDirection direction, TlsRecordScanner? peer = null)
{
    /// <summary>A HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).</summary>
    internal static readonly byte[] HelloRetryRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    /// <summary>The largest record payload TLS allows (2^14 plus expansion); anything larger is not TLS.</summary>
    public const int MaxRecordLength = 16384 + 2048;
    private readonly List<byte> _pending = [];
    private bool _encrypted;

    /// <summary>Raw bytes of the first records carrying a handshake (ClientHello or ServerHello), for annotated views.</summary>
    public byte[]? FirstHelloRecord { get; private set; }

    /// <summary>True once a ServerHello (or HelloRetryRequest) on this stream chose TLS 1.3.</summary>
    public bool Tls13 { get; private set; }

    /// <summary>The key-exchange group a HelloRetryRequest on this stream asked for, once seen.</summary>
    public int? RetryGroup { get; private set; }

    /// <summary>The named group of a TLS 1.2 ServerKeyExchange (ECDHE) on this stream, once seen.</summary>
    public int? KeyExchangeGroup { get; private set; }

    /// <summary>The signature scheme the server signed its TLS 1.2 ServerKeyExchange with, once seen.</summary>
    public int? KeyExchangeSignature { get; private set; }

    /// <summary>Set when the stream is not TLS, with the reason.</summary>
    public string? Malformed { get; private set; }

    /// <summary>Feeds bytes and returns every record completed by them.</summary>
    public IReadOnlyList<TlsRecordDetails> Feed(ReadOnlySpan<byte> data)
    {
        if (Malformed is not null)
            return [];
        foreach (var b in data)
            _pending.Add(b);
        var records = new List<TlsRecordDetails>();
        while (_pending.Count >= 5)
        {
            var type = _pending[0];
            var length = (_pending[3] << 8) | _pending[4];
            if (type is < 20 or > 24 || _pending[1] != 3)
            {
                Malformed = $"bytes {Hex(_pending.Take(5))} are not a TLS record header";
                _pending.Clear();
                break;
            }

            if (length > MaxRecordLength)
            {
                Malformed = $"a record announces {length:N0} bytes, more than TLS allows ({MaxRecordLength:N0})";
                _pending.Clear();
                break;
            }

            if (_pending.Count < 5 + length)
                break;
            var record = _pending.GetRange(0, 5 + length).ToArray();
            _pending.RemoveRange(0, 5 + length);
            records.Add(Describe(record));
        }

        return records;
    }

    private TlsRecordDetails Describe(byte[] record)
    {
        var type = record[0];
        var messages = new List<string>();
        // TLS 1.2: everything after ChangeCipherSpec is encrypted. TLS 1.3 sends one only for middleboxes (RFC 8446
        // D.4), and its encrypted handshake travels as application_data: a handshake record after it is plain text
        // (the second ClientHello after a HelloRetryRequest).
        if (type == 20 && !Tls13 && peer?.Tls13 != true)
            _encrypted = true;
        else if (type == 22 && _encrypted)
            messages.Add("encrypted_handshake_message");
        else if (type == 22)
        {
            FirstHelloRecord ??= record;
            var offset = 5;
            while (offset + 4 <= record.Length)
            {
                var length = (record[offset + 1] << 16) | (record[offset + 2] << 8) | record[offset + 3];
                var body = record.AsSpan(offset + 4, Math.Min(length, record.Length - offset - 4));
                messages.Add(record[offset] == 2 ? ReadServerHello(body) : TlsNames.HandshakeTypeName(record[offset]));
                if (record[offset] == 12)
                    ReadServerKeyExchange(body);
                offset += 4 + length;
            }
        }

        return new TlsRecordDetails(direction, TlsNames.ContentTypeName(type), messages, TlsNames.VersionName(record[1], record[2]), record.Length - 5);
    }

    /// <summary>ServerKeyExchange for ECDHE (RFC 8422 §5.4): curve_type named_curve (3), the group, the server's public
    /// key, then (TLS 1.2, RFC 5246 §7.4.3) the signature's scheme and the signature.</summary>
    private void ReadServerKeyExchange(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4 || body[0] != 3)
            return;
        KeyExchangeGroup = (body[1] << 8) | body[2];
        var scheme = 4 + body[3];
        if (scheme + 2 <= body.Length)
            KeyExchangeSignature = (body[scheme] << 8) | body[scheme + 1];
    }

    /// <summary>Names a ServerHello (or HelloRetryRequest) and learns from it whether TLS 1.3 was chosen.</summary>
    private string ReadServerHello(ReadOnlySpan<byte> body)
    {
        if (body.Length < 35)
            return "server_hello";
        var retry = body.Slice(2, 32).SequenceEqual(HelloRetryRandom);
        var at = 35 + body[34] + 3; // session id, cipher suite, compression method
        if (at + 2 <= body.Length)
        {
            var end = Math.Min(body.Length, at + 2 + ((body[at] << 8) | body[at + 1]));
            for (at += 2; at + 4 <= end;)
            {
                var type = (body[at] << 8) | body[at + 1];
                var length = (body[at + 2] << 8) | body[at + 3];
                var data = body.Slice(at + 4, Math.Min(length, end - at - 4));
                if (type == 43 && data.Length >= 2 && data[0] == 3 && data[1] == 4)
                    Tls13 = true; // supported_versions: TLS 1.3
                else if (type == 51 && retry && data.Length >= 2)
                    RetryGroup = (data[0] << 8) | data[1]; // key_share in a HelloRetryRequest: the group asked for
                at += 4 + length;
            }
        }

        return retry ? "hello_retry_request" : "server_hello";
    }

    private static string Hex(IEnumerable<byte> bytes) => string.Join(" ", bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
