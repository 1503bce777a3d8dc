using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Splits one direction of a TLS byte stream into records as they complete, reading only the plain-text
/// record headers (and handshake headers while the handshake is still unencrypted).
/// </summary>
internal sealed class TlsRecordScanner(WireDirection direction)
{
    /// <summary>The largest record payload TLS allows (2^14 plus expansion); anything larger is not TLS.</summary>
    public const int MaxRecordLength = 16384 + 2048;
    private readonly List<byte> _pending = [];
    private bool _encrypted;

    /// <summary>Raw bytes of the first records carrying a handshake (ClientHello or ServerHello), for annotated views.</summary>
    public byte[]? FirstHelloRecord { get; private set; }

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
        if (type == 20)
            _encrypted = true; // TLS 1.2: everything after ChangeCipherSpec is encrypted.
        else if (type == 22 && _encrypted)
            messages.Add("encrypted_handshake_message");
        else if (type == 22)
        {
            FirstHelloRecord ??= record;
            var offset = 5;
            while (offset + 4 <= record.Length)
            {
                messages.Add(TlsNames.HandshakeTypeName(record[offset]));
                var length = (record[offset + 1] << 16) | (record[offset + 2] << 8) | record[offset + 3];
                offset += 4 + length;
            }
        }

        return new TlsRecordDetails(direction, TlsNames.ContentTypeName(type), messages, TlsNames.VersionName(record[1], record[2]), record.Length - 5);
    }

    private static string Hex(IEnumerable<byte> bytes) => string.Join(" ", bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
