namespace FlowTrace.Tracer.Policy;

/// <summary>How strict the destination policy is.</summary>
public enum DestinationMode
{
    /// <summary>A tool on one's own machine: any address, any port (the command line and the library by default).</summary>
    Open,
    /// <summary>A server on loopback for its owner: private and loopback destinations allowed, the port list applies.</summary>
    Local,
    /// <summary>A server anyone can reach: only public unicast addresses and the allowed ports.</summary>
    Public,
}
