using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace FlowTrace.Tracer.Tests.Tls;

public sealed class TlsUnitTests
{
    [Fact]
    public void RecordScanner_RecordSplitAcrossChunks_ReportsItOnceComplete()
    {
        var scanner = new TlsRecordScanner(WireDirection.ServerToClient);
        byte[] record = [22, 3, 3, 0, 8, 2, 0, 0, 4, 1, 2, 3, 4];
        Assert.Empty(scanner.Feed(record.AsSpan(0, 7)));
        var records = scanner.Feed(record.AsSpan(7));
        var only = Assert.Single(records);
        Assert.Equal("handshake", only.ContentType);
        Assert.Equal(["server_hello"], only.HandshakeTypes);
        Assert.Equal(8, only.Length);
        Assert.Equal("TLS 1.2", only.RecordVersion);
    }

    [Fact]
    public void RecordScanner_AfterChangeCipherSpec_HandshakeIsEncrypted()
    {
        var scanner = new TlsRecordScanner(WireDirection.ClientToServer);
        var records = scanner.Feed([20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 2, 9, 9]);
        Assert.Equal(["encrypted_handshake_message"], records[1].HandshakeTypes);
    }

    [Fact]
    public void RecordScanner_HelloRetryRequest_NamedWithTheGroupAskedFor()
    {
        var incoming = new TlsRecordScanner(WireDirection.ServerToClient);
        var outgoing = new TlsRecordScanner(WireDirection.ClientToServer, incoming);
        byte[] body = [3, 3, .. Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C"), 0, 0x13, 0x01, 0,
            0, 12, 0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x18];
        byte[] record = [22, 3, 3, 0, (byte)(body.Length + 4), 2, 0, 0, (byte)body.Length, .. body];
        var hello = Assert.Single(incoming.Feed(record));
        Assert.Equal(["hello_retry_request"], hello.HandshakeTypes);
        Assert.Equal((0x18, true), (incoming.RetryGroup, incoming.Tls13));
        // TLS 1.3's middlebox ChangeCipherSpec does not make the second ClientHello "encrypted".
        var records = outgoing.Feed([20, 3, 3, 0, 1, 1, 22, 3, 1, 0, 4, 1, 0, 0, 0]);
        Assert.Equal(["client_hello"], records[1].HandshakeTypes);
    }

    [Fact]
    public void RecordScanner_Tls13ServerHello_IsNoRetry()
    {
        var scanner = new TlsRecordScanner(WireDirection.ServerToClient);
        byte[] body = [3, 3, .. new byte[32], 0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4];
        var hello = Assert.Single(scanner.Feed([22, 3, 3, 0, (byte)(body.Length + 4), 2, 0, 0, (byte)body.Length, .. body]));
        Assert.Equal(["server_hello"], hello.HandshakeTypes);
        Assert.Equal((null, true), (scanner.RetryGroup, scanner.Tls13));
    }

    [Fact]
    public void RecordScanner_HttpInsteadOfTls_ReportsMalformed()
    {
        var scanner = new TlsRecordScanner(WireDirection.ServerToClient);
        Assert.Empty(scanner.Feed("HTTP/1.1 400 Bad Request\r\n"u8));
        Assert.Contains("not a TLS record header", scanner.Malformed);
    }

    [Fact]
    public void RecordScanner_Announces16Megabytes_ReportsMalformed()
    {
        var scanner = new TlsRecordScanner(WireDirection.ServerToClient);
        scanner.Feed([22, 3, 3, 0xFF, 0xFF]);
        Assert.Contains("more than TLS allows", scanner.Malformed);
    }

    [Fact]
    public void RecordScanner_AnyBytes_NeverThrows() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            var scanner = new TlsRecordScanner(WireDirection.ServerToClient);
            return scanner.Feed(bytes ?? []).All(r => r.Length >= 0);
        }).Check(Config.Quick.WithMaxTest(500));

    [Theory]
    [InlineData("*.lab.test", "www.lab.test", true)]
    [InlineData("*.lab.test", "a.b.lab.test", false)]
    [InlineData("*.lab.test", "lab.test", false)]
    [InlineData("WWW.lab.test", "www.LAB.test", true)]
    [InlineData("*.test", "lab.test", false)]
    [InlineData("www.lab.test", "api.lab.test", false)]
    public void MatchesDnsName_Patterns_FollowRfc6125(string pattern, string host, bool expected) =>
        Assert.Equal(expected, CertificateValidator.MatchesDnsName(pattern, host));

    [Fact]
    public void CipherSuiteName_KnownSuite_HasIanaName() =>
        Assert.Equal("TLS_AES_128_GCM_SHA256", TlsNames.CipherSuiteName(0x1301));
}
