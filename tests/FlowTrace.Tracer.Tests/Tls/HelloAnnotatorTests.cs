using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Testing;
using FlowTrace.Tracer.Tests.Lab;

namespace FlowTrace.Tracer.Tests.Tls;

/// <summary>The hellos' bytes explained, compared with tshark's dissection of a capture of the same connection.</summary>
[Collection(LabCollection.Name)]
public sealed class HelloAnnotatorTests(LabFixture lab)
{
    [Theory]
    [InlineData("www")]
    [InlineData("tls12")]
    public async Task TlsHandshake_LabSite_HellosDecodedAsTsharkDissectsThem(string site)
    {
        var directory = Directory.CreateTempSubdirectory("flowtrace-hello-");
        try
        {
            var port = site == "tls12" ? lab.Lab.Ports.Tls12 : lab.Lab.Ports.Https;
            IReadOnlyList<TraceEvent> events;
            string file;
            await using (var capture = await PacketCapture.StartAsync(directory.FullName, port))
            {
                events = await lab.TraceAsync(site);
                await capture.StopAsync();
                file = capture.File;
            }

            var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
            var client = tls.ClientHelloFields!;
            var server = tls.ServerHelloFields!;
            AssertWithin(tls.ClientHello.Length, client);
            AssertWithin(tls.ServerHello.Length, server);

            var shark = await DissectAsync(file, port, "tls.handshake.type == 1",
                "tls.handshake.random", "tls.handshake.ciphersuite", "tls.handshake.extension.type", "tls.handshake.extensions_server_name",
                "tls.handshake.extensions_supported_group", "tls.handshake.extensions_alpn_str", "tls.handshake.extensions.supported_version",
                "tls.handshake.extensions_key_share_group", "tls.handshake.sig_hash_alg");
            Assert.Equal(shark[0], Single(client, "Random").Value);
            Assert.Equal(Codes(shark[1]), Codes(Single(client, "Cipher suites").Fields));
            Assert.Equal(Codes(shark[2]), Codes(Single(client, "Extensions").Fields));
            Assert.Equal(shark[3], Extension(client, "server_name").Value);
            Assert.Equal(Codes(shark[4]), Codes(Extension(client, "supported_groups").Fields));
            // tshark joins the protocols with commas, the byte view with ", ".
            Assert.Equal(shark[5], Extension(client, "application_layer_protocol_negotiation").Value.Replace(", ", ",", StringComparison.Ordinal));
            Assert.Equal(Codes(shark[6]), Codes(Extension(client, "supported_versions").Fields));
            Assert.Equal(Codes(shark[7]), Codes(Extension(client, "key_share").Fields));
            Assert.Equal(Codes(shark[8]), Codes(Extension(client, "signature_algorithms").Fields));

            var hello = await DissectAsync(file, port, "tls.handshake.type == 2",
                "tls.handshake.random", "tls.handshake.ciphersuite", "tls.handshake.extension.type");
            Assert.Equal(hello[0], Single(server, "Random").Value);
            Assert.Equal(Codes(hello[1]), [Single(server, "Cipher suite").Code!.Value]);
            Assert.Equal(Codes(hello[2]), Codes(Single(server, "Extensions").Fields));
            if (site == "www")
            {
                Assert.Equal("TLS 1.3 (0x0304)", Extension(server, "supported_versions").Value);
                Assert.StartsWith(tls.KeyExchangeGroup!, Extension(server, "key_share").Value, StringComparison.Ordinal);
            }
            else
            {
                // TLS 1.2 says its version in the version field itself, and the session id is the server's own.
                Assert.StartsWith("The version the server chose", Single(server, "Version").Explanation, StringComparison.Ordinal);
                Assert.DoesNotContain("echo", Single(server, "Session ID").Explanation, StringComparison.Ordinal);
            }

            if (site == "tls12" && server.Any(f => f.Name == "Named group"))
            {
                // TLS 1.2: the ServerKeyExchange rode in the ServerHello's record.
                var exchange = await DissectAsync(file, port, "tls.handshake.type == 12", "tls.handshake.server_named_curve", "tls.handshake.sig_hash_alg");
                Assert.Equal(Codes(exchange[0]), [Single(server, "Named group").Code!.Value]);
                Assert.Equal(Codes(exchange[1]), [Single(server, "Signature algorithm").Code!.Value]);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Annotate_CutShortOrGarbage_FieldsUpToWhereTheBytesEnd()
    {
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 5 && i % 2 == 0)
            {
                // A plausible record and handshake header over garbage.
                bytes[0] = 22;
                bytes[1] = 3;
                bytes[5] = (byte)(i % 4 == 0 ? 1 : 2);
            }

            AssertWithin(bytes.Length, FlowTrace.Tracer.Tls.HelloAnnotator.Annotate(bytes));
        }
    }

    private static void AssertWithin(int length, IReadOnlyList<ByteField> fields, ByteField? parent = null)
    {
        foreach (var field in fields)
        {
            Assert.InRange(field.Offset, parent?.Offset ?? 0, length);
            Assert.InRange(field.Offset + field.Length, field.Offset, parent is null ? length : parent.Offset + parent.Length);
            AssertWithin(length, field.Fields, field);
        }
    }

    private static ByteField Single(IReadOnlyList<ByteField> fields, string name) => Assert.Single(fields, f => f.Name == name);

    private static ByteField Extension(IReadOnlyList<ByteField> fields, string name) =>
        Assert.Single(Single(fields, "Extensions").Fields, f => f.Name == $"Extension: {name}");

    private static List<long> Codes(IEnumerable<ByteField> fields) => [.. fields.Select(f => f.Code!.Value)];

    private static List<long> Codes(string tshark) =>
        [.. tshark.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(v[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : long.Parse(v, CultureInfo.InvariantCulture))];

    /// <summary>tshark's fields of the first packet matching <paramref name="filter"/>, the lab port read as TLS.</summary>
    private static Task<string[]> DissectAsync(string file, int port, string filter, params string[] fields) =>
        Tshark.FirstPacketAsync(file, "tcp", port, "tls", filter, fields);
}
