using FlowTrace.Contracts.Bytes;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Http;

namespace FlowTrace.Tracer.Tests.Http;

public sealed class RequestHeadFieldsTests
{
    [Theory]
    [InlineData("GET", "/", "www.lab.test:47443")]
    [InlineData("HEAD", "/a/b?c=d&e=%20f", "example.com")]
    [InlineData("GET", "/caf\u00e9", "b\u00fccher.example")]
    public void Of_WhatTheWriterWrites_SameBytesAndFieldsEndToEnd(string method, string path, string host)
    {
        var (line, headers, written) = HttpRequestWriter.Build(method, path, host, [new("X-Extra", "yes"), new("Accept", "text/html")]);
        var (bytes, fields) = RequestHeadFields.Of(new HttpRequestDetails(line, headers, written.Length, TimeSpan.Zero));
        Assert.Equal(written, bytes);
        // The fields follow one another with no gap from the first byte to the last.
        var offset = 0;
        foreach (var field in fields)
        {
            Assert.Equal(offset, field.Offset);
            offset += field.Length;
        }

        Assert.Equal(bytes.Length, offset);
        Assert.Equal(["Method", "Space", "Request target", "Space", "Version", "Line end"], fields.Take(6).Select(f => f.Name));
        Assert.Equal([method, "SP", path, "SP", "HTTP/1.1", "CR LF"], fields.Take(6).Select(f => f.Value));
        Assert.Equal(host, Assert.Single(fields, f => f.Name == "Header: Host").Value);
        Assert.Equal("End of head", fields[^1].Name);
        Assert.DoesNotContain("not kept", fields[^1].Explanation, StringComparison.Ordinal);
        Assert.Equal("The media types the client takes, preferred first.", Assert.Single(fields, f => f.Name == "Header: Accept").Explanation);
    }

    [Fact]
    public void Of_ACredentialNotKept_SaysTheBytesAreNotAllTheOnesSent()
    {
        var (line, headers, written) = HttpRequestWriter.Build("GET", "/", "example.com", [new("Authorization", "Bearer s3cret")]);
        var kept = headers.Select(h => h.Name == "Authorization" ? h with { Value = "(sent; not kept)" } : h).ToList();
        var (bytes, fields) = RequestHeadFields.Of(new HttpRequestDetails(line, kept, written.Length, TimeSpan.Zero));
        Assert.NotEqual(written.Length, bytes.Length);
        Assert.Contains($"The head as sent was {written.Length:N0} bytes", fields[^1].Explanation, StringComparison.Ordinal);
    }
}
