using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>HAProxy in TCP mode, one thread, no logging: plain relays to the origin, and SNI routing with <c>req.ssl_sni</c> (one rule).</summary>
internal static class Haproxy
{
    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int bulk = Ports.Free(), http = Ports.Free(), sni = Ports.Free();
        string config = context.WriteFile("haproxy/haproxy.cfg", string.Create(CultureInfo.InvariantCulture, $"""
            global
                nbthread 1
                maxconn {ProcessTree.MaxTunnels()}

            defaults
                mode tcp
                timeout connect 10s
                timeout client 10m
                timeout server 10m

            frontend bulk
                bind 127.0.0.1:{bulk}
                default_backend origin_bulk

            frontend http
                bind 127.0.0.1:{http}
                default_backend origin_http

            frontend sni
                bind 127.0.0.1:{sni}
                tcp-request inspect-delay 5s
                tcp-request content accept if {"{"} req.ssl_hello_type 1 {"}"}
                use_backend origin_tls if {"{"} req.ssl_sni -m end .example.test {"}"}

            backend origin_bulk
                server origin 127.0.0.1:{context.OriginBulk}

            backend origin_http
                server origin 127.0.0.1:{context.OriginHttp}

            backend origin_tls
                server origin 127.0.0.1:{context.OriginTls}

            """));
        ManagedProcess process = context.StartProxy("haproxy", null, "haproxy", "-db", "-f", config);
        return await new Peer("haproxy", process) { BulkRelay = bulk, HttpRelay = http, Sni = sni }.ReadyAsync(sni).ConfigureAwait(false);
    }
}
