namespace LoadDriver.Suite.Peers;

/// <summary>
/// A running proxy under test and the ports it serves. A port is 0 when the peer does not
/// offer that function (HAProxy and nginx are no CONNECT proxies; Squid routes no SNI).
/// </summary>
internal sealed record Peer(string Name, ManagedProcess Process)
{
    /// <summary>HTTP proxy port (CONNECT).</summary>
    public int Connect { get; init; }

    /// <summary>TCP relay to the origin's bulk port.</summary>
    public int BulkRelay { get; init; }

    /// <summary>TCP relay to the origin's HTTP port.</summary>
    public int HttpRelay { get; init; }

    /// <summary>TLS pass-through routed by SNI to the origin's HTTPS port.</summary>
    public int Sni { get; init; }

    /// <summary>SOCKS5 port.</summary>
    public int Socks { get; init; }

    /// <summary>Waits for <paramref name="port"/>; throws with the log's tail when the peer does not come up.</summary>
    public async Task<Peer> ReadyAsync(int port)
    {
        if (!await Process.WaitForPortAsync(port, TimeSpan.FromSeconds(30)).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"{Name} did not listen on {port}: {Process.Tail()}");
        }

        return this;
    }
}
