using System.Net;
using FlowTrace.Tracer.Policy;

namespace FlowTrace.Tracer.Tests.Policy;

public sealed class DestinationPolicyTests
{
    private static readonly DestinationPolicy Public = new(DestinationMode.Public, ownAddresses: [IPAddress.Parse("11.4.4.4")]);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.5")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("100::1")]
    [InlineData("2001::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo
    [InlineData("2001:db8::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fec0::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::7f00:1")] // IPv4-compatible 127.0.0.1
    [InlineData("::a9fe:a9fe")] // IPv4-compatible 169.254.169.254
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:c0a8:ffff::")] // 6to4 of 192.168.255.255
    [InlineData("2002:7f00:1::1")]
    [InlineData("11.4.4.4")] // the server's own address
    public void Check_PublicMode_RefusesSpecialAddresses(string address)
    {
        var decision = Public.Check(new IPEndPoint(IPAddress.Parse(address), 443));
        Assert.False(decision.Allowed, $"{address} was allowed");
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Theory]
    [InlineData("100.63.255.254")]
    [InlineData("100.128.0.1")]
    [InlineData("11.1.2.3")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2a01:4f8::1")]
    [InlineData("2002:b01:203::")] // 6to4 of 11.1.2.3
    [InlineData("64:ff9b::b01:203")] // NAT64 of 11.1.2.3
    [InlineData("::ffff:11.1.2.3")]
    public void Check_PublicMode_AllowsPublicUnicast(string address) =>
        Assert.True(Public.Check(new IPEndPoint(IPAddress.Parse(address), 443)).Allowed);

    [Fact]
    public void Check_PrivateAddress_ReasonNamesAddressAndKind()
    {
        var decision = Public.Check(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 80));
        Assert.Equal("10.0.0.5 is a private address; this server does not trace private or special networks.", decision.Reason);
    }

    [Theory]
    [InlineData(22, false)]
    [InlineData(25, false)]
    [InlineData(80, true)]
    [InlineData(443, true)]
    [InlineData(8000, true)]
    [InlineData(8999, true)]
    [InlineData(9000, false)]
    public void Check_DefaultPorts_OnlyWebPortsAllowed(int port, bool allowed) =>
        Assert.Equal(allowed, Public.Check(new IPEndPoint(IPAddress.Parse("11.1.2.3"), port)).Allowed);

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("192.168.1.10", true)]
    [InlineData("169.254.169.254", false)]
    [InlineData("224.0.0.1", false)]
    public void Check_LocalMode_AllowsPrivateAndLoopbackOnly(string address, bool allowed) =>
        Assert.Equal(allowed, new DestinationPolicy(DestinationMode.Local).Check(new IPEndPoint(IPAddress.Parse(address), 80)).Allowed);

    [Fact]
    public void Check_ExemptLabEndpoint_AllowedEvenOnLoopbackInPublicMode()
    {
        var lab = new IPEndPoint(IPAddress.Loopback, 47443);
        var policy = Public.WithExempt([lab]);
        Assert.True(policy.Check(lab).Allowed);
        Assert.False(policy.Check(new IPEndPoint(IPAddress.Loopback, 47444)).Allowed);
    }

    [Fact]
    public void Check_OpenMode_AllowsEverything() =>
        Assert.True(DestinationPolicy.Open.Check(new IPEndPoint(IPAddress.Parse("169.254.169.254"), 22)).Allowed);

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("443-80")]
    [InlineData("http")]
    public void PortListParse_Invalid_Throws(string text) => Assert.Throws<FormatException>(() => PortList.Parse(text));

    [Theory]
    [InlineData("192.0.2.53", 53, false)] // a documentation address stays refused, on DNS's port too
    [InlineData("10.0.0.1", 53, false)]
    [InlineData("93.184.216.34", 53, true)] // a public resolver on port 53: allowed for DNS, though 53 is no allowed port
    [InlineData("93.184.216.34", 5353, false)]
    public void CheckDnsServer_PublicMode_Port53AllowedForDnsAddressesJudgedAsEver(string address, int port, bool allowed)
    {
        var policy = new DestinationPolicy(DestinationMode.Public);
        var server = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), port);
        Assert.Equal(allowed, policy.CheckDnsServer(server).Allowed);
        Assert.False(policy.Check(server).Allowed && port == 53);
    }
}
