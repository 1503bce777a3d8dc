using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>A server to ask in a lookup from the root: its name (from a referral or the root hints) and address.</summary>
internal sealed record IterativeServer(string Name, IPEndPoint EndPoint);
