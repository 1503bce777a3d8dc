using System.Buffers.Binary;
using System.Globalization;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Http2;

/// <summary>
/// The bytes a client writes to open HTTP/2, field by field: the connection preface, then each frame's 9-byte header
/// (length, type, flags, stream) and what its payload says (each SETTINGS entry named, the PING's data, the request's
/// HPACK block). Reads only what is there.
/// </summary>
internal static class Http2OpeningAnnotator
{
    public static IReadOnlyList<ByteField> Annotate(byte[] bytes, bool withPreface)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var fields = new List<ByteField>();
        var offset = 0;
        if (withPreface && bytes.Length >= Http2Connection.Preface.Length)
        {
            fields.Add(new ByteField(0, Http2Connection.Preface.Length, "Connection preface", "PRI * HTTP/2.0␍␊␍␊SM␍␊␍␊",
                "Every HTTP/2 client starts so: a line no HTTP/1.1 server would take for a request, so a server that does not speak HTTP/2 fails at once.", null, []));
            offset = Http2Connection.Preface.Length;
        }

        while (offset + Http2Frame.HeaderLength <= bytes.Length)
        {
            var length = (bytes[offset] << 16) | (bytes[offset + 1] << 8) | bytes[offset + 2];
            var type = bytes[offset + 3];
            var flags = bytes[offset + 4];
            var stream = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset + 5)) & 0x7FFFFFFF;
            var payloadEnd = Math.Min(bytes.Length, offset + Http2Frame.HeaderLength + length);
            var name = Http2Names.FrameType(type);
            var flagNames = Http2Names.Flags(type, flags);
            var parts = new List<ByteField>
            {
                new(offset, 3, "Length", length.ToString(CultureInfo.InvariantCulture), "The payload's length (the 9-byte header not counted).", length, []),
                new(offset + 3, 1, "Type", $"{name} ({type})", "What the frame is.", type, []),
                new(offset + 4, 1, "Flags", flagNames.Length > 0 ? $"{flagNames} (0x{flags:x2})" : $"none (0x{flags:x2})", "END_STREAM ends the sender's half of the stream; END_HEADERS ends a header block; ACK answers.", flags, []),
                new(offset + 5, 4, "Stream", stream.ToString(CultureInfo.InvariantCulture), stream == 0 ? "0: the connection itself." : "The stream (request) it belongs to: clients use odd numbers.", stream, []),
            };
            parts.AddRange(Payload(bytes, type, offset + Http2Frame.HeaderLength, payloadEnd));
            fields.Add(new ByteField(offset, payloadEnd - offset, $"Frame: {name}", $"stream {stream}, {length} bytes{(flagNames.Length > 0 ? $", {flagNames}" : "")}", Why(type), type, parts));
            offset = payloadEnd;
        }

        return fields;
    }

    private static IEnumerable<ByteField> Payload(byte[] bytes, byte type, int start, int end)
    {
        switch (type)
        {
            case Http2Frame.Settings:
                for (var at = start; at + 6 <= end; at += 6)
                {
                    var id = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
                    var value = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 2));
                    yield return new ByteField(at, 6, $"Setting: {Http2Names.Setting(id)}", value.ToString(CultureInfo.InvariantCulture), SettingWhy(id), id, []);
                }

                break;
            case Http2Frame.Ping when end - start == 8:
                yield return new ByteField(start, 8, "Opaque data", Convert.ToHexStringLower(bytes, start, 8), "Any 8 bytes; the peer sends them back in a PING with ACK, which times the round trip.", null, []);
                break;
            case Http2Frame.Headers or Http2Frame.Continuation when end > start:
                yield return new ByteField(start, end - start, "Header block (HPACK)", $"{end - start} bytes",
                    "The request's header fields, compressed: table indexes where the tables have them, literals (Huffman-coded) where not.", null, []);
                break;
            case Http2Frame.WindowUpdate when end - start == 4:
                yield return new ByteField(start, 4, "Window increment", (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(start)) & 0x7FFFFFFF).ToString(CultureInfo.InvariantCulture),
                    "How many more bytes the peer may send.", null, []);
                break;
        }
    }

    private static string Why(byte type) => type switch
    {
        Http2Frame.Settings => "The client's settings for this connection; the server acknowledges them.",
        Http2Frame.Ping => "A ping, to measure the round trip at the HTTP/2 level.",
        Http2Frame.Headers => "The request: its header fields (the method, path, scheme and authority among them, as pseudo-headers).",
        _ => "",
    };

    private static string SettingWhy(ushort id) => id switch
    {
        0x1 => "The largest HPACK table the sender's decoder keeps.",
        0x2 => "0: the server must not push responses nobody asked for.",
        0x3 => "How many streams the peer may open at once.",
        0x4 => "How many bytes of a stream the peer may send before the receiver opens its window further.",
        0x5 => "The largest frame payload the sender accepts.",
        0x6 => "The largest header list the sender accepts.",
        _ => "",
    };
}
