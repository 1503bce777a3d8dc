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
