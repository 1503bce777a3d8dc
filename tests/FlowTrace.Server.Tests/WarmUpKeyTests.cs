using FlowTrace.Server.Tracing;
using Microsoft.AspNetCore.Http;

namespace FlowTrace.Server.Tests;

public sealed class WarmUpKeyTests
{
    private static HttpRequest Request(string? header)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
            context.Request.Headers[WarmUpKey.Header] = header;
        return context.Request;
    }

    [Fact]
    public void Marks_ItsOwnValue_True()
    {
        var key = new WarmUpKey();
        Assert.True(key.Marks(Request(key.Value)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Marks_AnyOtherValue_False(string? header)
    {
        Assert.False(new WarmUpKey().Marks(Request(header)));
    }

    [Fact]
    public void Marks_AnotherServersKey_False()
    {
        Assert.False(new WarmUpKey().Marks(Request(new WarmUpKey().Value)));
    }
}
