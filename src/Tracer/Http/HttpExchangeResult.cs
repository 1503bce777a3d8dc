namespace FlowTrace.Tracer.Http;

/// <summary>What one request/response exchange produced, for the connection and redirect logic.</summary>
/// <param name="Head">The response head, or null when the exchange failed before it.</param>
/// <param name="KeepAlive">True when the connection may carry another request.</param>
/// <param name="KeepAliveReason">Why it may or may not.</param>
/// <param name="Failed">True when a step failed.</param>
/// <param name="Unprocessed">True when the server said it did not process the request (HTTP/2: a refused stream), so
/// that sending it again on a new connection is safe.</param>
internal sealed record HttpExchangeResult(HttpResponseHead? Head, bool KeepAlive, string KeepAliveReason, bool Failed, bool Unprocessed = false);
