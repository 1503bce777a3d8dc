using System.Globalization;
using System.Text;
using FlowTrace.Contracts.Events;
using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// The hello messages' bytes field by field (RFC 8446 §4.1, RFC 5246 §7.4): each field's place, its value decoded and
/// what it is for, so that a reader sees what the ClientHello really offered and what the server chose. Reads only what
/// is there: a record cut short ends the list where the bytes end.
/// </summary>
internal static class HelloAnnotator
{
    /// <summary>The fields of <paramref name="records"/>: the records (one or more) carrying a hello, as on the wire.</summary>
    public static IReadOnlyList<ByteField> Annotate(byte[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var fields = new List<ByteField>();
        var offset = 0;
        try
        {
            while (offset + 5 <= records.Length)
            {
                var length = (records[offset + 3] << 8) | records[offset + 4];
                var type = records[offset];
                fields.Add(new ByteField(offset, 5, "Record header",
                    $"{TlsNames.ContentTypeName(type)}, {TlsNames.VersionName(records[offset + 1], records[offset + 2])}, {length:N0} bytes",
                    "Every TLS record starts so: its content type, a version frozen for old middleboxes, and its length.", type, []));
                var end = Math.Min(records.Length, offset + 5 + length);
                if (type == 22)
                    Handshakes(records, offset + 5, end, fields);
                else if (type == 20)
                    fields.Add(new ByteField(offset + 5, end - offset - 5, "change_cipher_spec", "1", "In TLS 1.3 only for middleboxes that expect it; it changes nothing.", null, []));
                offset = end;
            }
        }
        catch (IndexOutOfRangeException)
        {
            // A message that claims more than it holds: the fields read so far stand.
        }

        return fields;
    }

    private static void Handshakes(byte[] b, int offset, int end, List<ByteField> fields)
    {
        while (offset + 4 <= end)
        {
            short type = b[offset];
            var length = (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3];
            fields.Add(new ByteField(offset, 4, "Handshake header", $"{TlsNames.HandshakeTypeName((byte)type)}, {length:N0} bytes", "The message's type and length.", type, []));
            var bodyEnd = Math.Min(end, offset + 4 + length);
            var body = new Reader(b, offset + 4, bodyEnd);
            switch (type)
            {
                case HandshakeType.client_hello:
                    ClientHello(body, fields);
                    break;
                case HandshakeType.server_hello:
                    ServerHello(body, fields);
                    break;
                case HandshakeType.server_key_exchange:
                    ServerKeyExchange(body, fields);
                    break;
                default:
                    if (bodyEnd > offset + 4)
                        fields.Add(new ByteField(offset + 4, bodyEnd - offset - 4, TlsNames.HandshakeTypeName((byte)type), $"{bodyEnd - offset - 4:N0} bytes", "", null, []));
                    break;
            }

            offset = bodyEnd;
        }
    }

    private static void ClientHello(Reader r, List<ByteField> fields)
    {
        var version = fields.Count;
        fields.Add(r.Field(2, "Version", v => Version(v), "legacy_version: frozen at TLS 1.2; the versions really offered are in supported_versions."));
        fields.Add(r.Field(32, "Random", Hex, "32 random bytes from the client, mixed into the keys."));
        fields.Add(r.Vector(1, "Session ID", v => v.Length == 0 ? "empty" : Hex(v),
            "legacy_session_id: in TLS 1.3 random bytes, so middleboxes see a familiar resumption attempt."));
        var suitesAt = r.Offset;
        var suitesLength = r.U16();
        var suites = new List<ByteField>();
        for (var end = Math.Min(r.End, r.Offset + suitesLength); r.Offset + 2 <= end;)
        {
            var at = r.Offset;
            var suite = r.U16();
            suites.Add(new ByteField(at, 2, "Cipher suite", $"{TlsNames.CipherSuiteName(suite)} (0x{suite:X4})", "", suite, []));
        }

        r.Skip(suitesAt + 2 + suitesLength - r.Offset);
        fields.Add(new ByteField(suitesAt, Math.Min(2 + suitesLength, r.End - suitesAt), "Cipher suites", $"{suites.Count} offered",
            "The encryption and hash combinations the client can use, in its order of preference: the server picks one.", null, suites));
        fields.Add(r.Vector(1, "Compression methods", v => string.Join(", ", v.ToArray().Select(m => m == 0 ? "null" : m.ToString(CultureInfo.InvariantCulture))),
            "Only 'null' (none) is left: compressing under encryption leaked secrets (CRIME)."));
        Extensions(r, fields, client: true);
        if (!HasExtension(fields, ExtensionType.supported_versions))
            fields[version] = fields[version] with { Explanation = "The highest version the client offers: with no supported_versions extension, TLS 1.3 is not on offer." };
    }

    private static bool HasExtension(List<ByteField> fields, int type) =>
        fields.LastOrDefault(f => f.Name == "Extensions") is { } extensions && extensions.Fields.Any(f => f.Code == type);

    private static void ServerHello(Reader r, List<ByteField> fields)
    {
        var version = fields.Count;
        fields.Add(r.Field(2, "Version", v => Version(v), "legacy_version: TLS 1.2 even in TLS 1.3; the version chosen is in supported_versions."));
        var retry = r.Peek(32).SequenceEqual(TlsRecordScanner.HelloRetryRandom);
        fields.Add(r.Field(32, "Random", Hex, retry
            ? "The fixed value that makes this a HelloRetryRequest: the server wants another key share."
            : "32 random bytes from the server, mixed into the keys."));
        var session = fields.Count;
        fields.Add(r.Vector(1, "Session ID", v => v.Length == 0 ? "empty" : Hex(v), "legacy_session_id_echo: the client's, sent back."));
        var at = r.Offset;
        var suite = r.U16();
        fields.Add(new ByteField(at, 2, "Cipher suite", $"{TlsNames.CipherSuiteName(suite)} (0x{suite:X4})", "The one the server chose from the client's list.", suite, []));
        fields.Add(r.Field(1, "Compression method", v => v[0] == 0 ? "null" : v[0].ToString(CultureInfo.InvariantCulture), "Always null (none)."));
        Extensions(r, fields, client: false);
        // TLS 1.2 and older choose their version here, and the session id is the server's own.
        if (!HasExtension(fields, ExtensionType.supported_versions))
        {
            fields[version] = fields[version] with { Explanation = "The version the server chose (with no supported_versions extension, this field says it)." };
            fields[session] = fields[session] with
            {
                Explanation = fields[session].Value == "empty"
                    ? "Empty: the server will not let this session be resumed by its id."
                    : "The server's id for this session: the client may present it later to resume without a full handshake.",
            };
        }
    }

    /// <summary>TLS 1.2's ServerKeyExchange for ECDHE (RFC 8422 §5.4): the group, the server's public key, the signature.</summary>
    private static void ServerKeyExchange(Reader r, List<ByteField> fields)
    {
        if (r.Remaining < 4 || r.Peek(1)[0] != 3)
            return;
        fields.Add(r.Field(1, "Curve type", _ => "named_curve (3)", "The group is named, not described."));
        var at = r.Offset;
        var group = r.U16();
        fields.Add(new ByteField(at, 2, "Named group", $"{TlsNames.GroupName(group)} (0x{group:X4})", "The group of the server's ephemeral key.", group, []));
        fields.Add(r.Vector(1, "Public key", Hex, "The server's ephemeral public key for this connection only (forward secrecy)."));
        if (r.Remaining >= 4)
        {
            at = r.Offset;
            var scheme = r.U16();
            fields.Add(new ByteField(at, 2, "Signature algorithm", $"{TlsNames.SignatureSchemeName(scheme)} (0x{scheme:X4})", "How the server signed the key above with its certificate's key.", scheme, []));
            fields.Add(r.Vector(2, "Signature", Hex, "Proves the key comes from the holder of the certificate."));
        }
    }

    private static void Extensions(Reader r, List<ByteField> fields, bool client)
    {
        if (r.Remaining < 2)
            return;
        var at = r.Offset;
        var length = r.U16();
        var extensions = new List<ByteField>();
        for (var end = Math.Min(r.End, r.Offset + length); r.Offset + 4 <= end;)
        {
            var start = r.Offset;
            var type = r.U16();
            var dataLength = r.U16();
            var data = new Reader(r.Bytes, r.Offset, Math.Min(end, r.Offset + dataLength));
            r.Skip(dataLength);
            var (value, explanation, parts) = Extension(type, data, client);
            extensions.Add(new ByteField(start, Math.Min(4 + dataLength, end - start), $"Extension: {ExtensionName(type)}", value, explanation, type, parts));
        }

        fields.Add(new ByteField(at, Math.Min(2 + length, r.End - at), "Extensions", $"{extensions.Count}", client
            ? "What the client asks for and offers beyond the basics; in TLS 1.3 the important choices live here."
            : "The server's answers to the client's extensions.", null, extensions));
    }

    private static (string Value, string Explanation, IReadOnlyList<ByteField> Parts) Extension(int type, Reader d, bool client)
    {
        var parts = new List<ByteField>();
        switch (type)
        {
            case ExtensionType.server_name when client && d.Remaining >= 5:
            {
                d.U16();
                d.Skip(1);
                var name = d.Vector(2, "Server name", v => Encoding.ASCII.GetString(v), "The host name, in clear text before any encryption: anyone on the path can read it.");
                parts.Add(name);
                return (name.Value, "SNI: which site the client wants, so that a server hosting many picks the right certificate.", parts);
            }

            case ExtensionType.supported_groups when d.Remaining >= 2:
            {
                var list = d.U16List(v => $"{TlsNames.GroupName(v)} (0x{v:X4})", "Group", parts);
                return (list, "The key-exchange groups the client can use, preferred first.", parts);
            }

            case ExtensionType.signature_algorithms when d.Remaining >= 2:
            {
                var list = d.U16List(v => $"{TlsNames.SignatureSchemeName(v)} (0x{v:X4})", "Signature scheme", parts);
                return (list, "The signatures the client accepts on the handshake and the certificates.", parts);
            }

            case ExtensionType.application_layer_protocol_negotiation when d.Remaining >= 2:
            {
                d.U16();
                var protocols = new List<string>();
                while (d.Remaining > 0)
                {
                    var protocol = d.Vector(1, "Protocol", v => Encoding.ASCII.GetString(v), "");
                    parts.Add(protocol);
                    protocols.Add(protocol.Value);
                }

                return (string.Join(", ", protocols), client
                    ? "ALPN: the application protocols the client speaks, so the server can choose before any HTTP is sent."
                    : "ALPN: the application protocol the server chose.", parts);
            }

            case ExtensionType.supported_versions when client && d.Remaining >= 1:
            {
                var count = d.U8() / 2;
                var versions = new List<string>();
                for (var i = 0; i < count && d.Remaining >= 2; i++)
                {
                    var at = d.Offset;
                    var v = d.U16();
                    var name = $"{TlsNames.VersionName(v >> 8, v & 0xFF)} (0x{v:X4})";
                    parts.Add(new ByteField(at, 2, "Version", name, "", v, []));
                    versions.Add(name);
                }

                return (string.Join(", ", versions), "The TLS versions really offered, newest first (the version fields above are frozen).", parts);
            }

            case ExtensionType.supported_versions when d.Remaining >= 2:
            {
                var at = d.Offset;
                var v = d.U16();
                var name = $"{TlsNames.VersionName(v >> 8, v & 0xFF)} (0x{v:X4})";
                parts.Add(new ByteField(at, 2, "Version", name, "", v, []));
                return (name, "The TLS version the server chose.", parts);
            }

            case ExtensionType.key_share when client && d.Remaining >= 2:
            {
                d.U16();
                var groups = new List<string>();
                while (d.Remaining >= 4)
                {
                    var share = KeyShare(d);
                    parts.Add(share);
                    groups.Add(share.Value);
                }

                return (string.Join("; ", groups), "The client's public keys for the groups it guesses the server will pick: a right guess is what lets TLS 1.3 finish in one round trip.", parts);
            }

            case ExtensionType.key_share when d.Remaining >= 4:
            {
                var share = KeyShare(d);
                parts.Add(share);
                return (share.Value, "The server's public key in the group it chose: both sides can now compute the same secret.", parts);
            }

            case ExtensionType.key_share when d.Remaining == 2:
            {
                var at = d.Offset;
                var group = d.U16();
                parts.Add(new ByteField(at, 2, "Selected group", $"{TlsNames.GroupName(group)} (0x{group:X4})", "", group, []));
                return ($"{TlsNames.GroupName(group)} wanted", "HelloRetryRequest: the server wants a key share in this group; the client must start again.", parts);
            }

            case ExtensionType.psk_key_exchange_modes when d.Remaining >= 1:
                return (string.Join(", ", d.Peek(d.Remaining)[1..].ToArray().Select(m => m == 1 ? "psk_dhe_ke" : m == 0 ? "psk_ke" : m.ToString(CultureInfo.InvariantCulture))),
                    "How a resumed session may derive keys (psk_dhe_ke: with a fresh key exchange, for forward secrecy).", parts);
            case ExtensionType.status_request:
                return (client ? "OCSP" : "", client ? "Asks the server to staple a fresh OCSP answer about its certificate (revocation)." : "The server will staple one.", parts);
            case ExtensionType.ec_point_formats when d.Remaining >= 1:
                return (string.Join(", ", d.Peek(d.Remaining)[1..].ToArray().Select(f => f switch
                {
                    0 => "uncompressed",
                    1 => "ansiX962_compressed_prime",
                    2 => "ansiX962_compressed_char2",
                    _ => f.ToString(CultureInfo.InvariantCulture),
                })), "Point formats for elliptic curves (TLS 1.2); uncompressed is the one in use.", parts);
            case ExtensionType.extended_master_secret:
                return ("", "Ties the keys to the whole handshake (TLS 1.2), against man-in-the-middle resumption attacks.", parts);
            case ExtensionType.session_ticket:
                return (d.Remaining == 0 ? "empty" : $"{d.Remaining:N0} bytes", client
                    ? "TLS 1.2: the client takes session tickets, to resume later without a full handshake."
                    : "TLS 1.2: the server will send a session ticket after the handshake.", parts);
            case ExtensionType.encrypt_then_mac:
                return ("", "TLS 1.2 with CBC suites: the MAC covers the encrypted bytes, which closes padding-oracle attacks.", parts);
            case ExtensionType.renegotiation_info:
                return ("", "Secure renegotiation (TLS 1.2): binds a renegotiation to the connection it renegotiates.", parts);
            default:
                return (d.Remaining == 0 ? "" : $"{d.Remaining:N0} bytes", "", parts);
        }
    }

    private static ByteField KeyShare(Reader d)
    {
        var at = d.Offset;
        var group = d.U16();
        var length = d.U16();
        var key = d.Peek(Math.Min(length, d.Remaining)).ToArray();
        d.Skip(length);
        return new ByteField(at, Math.Min(4 + length, d.End - at), "Key share", $"{TlsNames.GroupName(group)} (0x{group:X4}), {length}-byte public key",
            $"Public key {Hex(key)}", group, []);
    }

    private static string ExtensionName(int type) =>
        ExtensionType.GetName(type) is { } name && !name.StartsWith("UNKNOWN", StringComparison.Ordinal) ? name : $"unknown ({type})";

    private static string Version(ReadOnlySpan<byte> v) => $"{TlsNames.VersionName(v[0], v[1])} (0x{v[0]:X2}{v[1]:X2})";

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Reads big-endian fields from a slice of the message, keeping offsets into the whole.</summary>
    private sealed class Reader(byte[] bytes, int offset, int end)
    {
        public byte[] Bytes { get; } = bytes;
        public int Offset { get; private set; } = offset;
        public int End { get; } = end;
        public int Remaining => End - Offset;

        public ReadOnlySpan<byte> Peek(int count) => count > Remaining ? throw new IndexOutOfRangeException() : Bytes.AsSpan(Offset, count);

        public void Skip(int count) => Offset = Math.Min(End, Offset + count);

        public int U8()
        {
            var value = Peek(1)[0];
            Offset++;
            return value;
        }

        public int U16()
        {
            var v = Peek(2);
            Offset += 2;
            return (v[0] << 8) | v[1];
        }

        public delegate string Decode(ReadOnlySpan<byte> value);

        public ByteField Field(int length, string name, Decode decode, string explanation)
        {
            var at = Offset;
            var value = decode(Peek(length));
            Offset += length;
            return new ByteField(at, length, name, value, explanation, null, []);
        }

        /// <summary>A length-prefixed value (a one- or two-byte length, then the bytes).</summary>
        public ByteField Vector(int lengthBytes, string name, Decode decode, string explanation)
        {
            var at = Offset;
            var length = lengthBytes == 1 ? U8() : U16();
            var value = decode(Peek(length));
            Offset += length;
            return new ByteField(at, lengthBytes + length, name, value, explanation, null, []);
        }

        /// <summary>A two-byte-length list of two-byte codes, each a part; returns them joined.</summary>
        public string U16List(Func<int, string> name, string partName, List<ByteField> parts)
        {
            var length = U16();
            var names = new List<string>();
            for (var end = Math.Min(End, Offset + length); Offset + 2 <= end;)
            {
                var at = Offset;
                var code = U16();
                var text = name(code);
                parts.Add(new ByteField(at, 2, partName, text, "", code, []));
                names.Add(text);
            }

            return string.Join(", ", names);
        }
    }
}
