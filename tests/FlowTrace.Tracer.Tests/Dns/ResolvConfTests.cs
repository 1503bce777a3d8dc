using System.Net;
using FlowTrace.Tracer.Dns;

namespace FlowTrace.Tracer.Tests.Dns;

public sealed class ResolvConfTests
{
    [Fact]
    public void Parse_NameserverLines_InOrderOnPort53WhateverTheInterfaces()
    {
        const string text = "# generated\nsearch lan\nnameserver 192.0.2.53\noptions edns0\nnameserver\tfe80::1%1\nnameserver 2001:db8::53\n";
        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53), new IPEndPoint(IPAddress.Parse("fe80::1%1"), 53), new IPEndPoint(IPAddress.Parse("2001:db8::53"), 53)],
            ResolvConf.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("search lan\noptions ndots:2\n")]
    [InlineData("nameserver not-an-address\nnameserver\n")]
    public void Parse_NoUsableNameserver_None(string text) => Assert.Empty(ResolvConf.Parse(text));

    [Fact]
    public void Read_MissingFile_None() => Assert.Empty(ResolvConf.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));

    [Fact]
    public void Read_FileNamingAServer_ThatServer()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "nameserver 198.51.100.1\n");
            Assert.Equal([new IPEndPoint(IPAddress.Parse("198.51.100.1"), 53)], ResolvConf.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
