using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>nginx stream: one worker, no access log, plain relays to the origin, and SNI routing with <c>ssl_preread</c> (one map rule).</summary>
internal static class Nginx
{
    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int bulk = Ports.Free(), http = Ports.Free(), sni = Ports.Free();
        string dir = Path.Combine(context.Work, "nginx");
        string config = context.WriteFile("nginx/nginx.conf", string.Create(CultureInfo.InvariantCulture, $$"""
            load_module /usr/lib/nginx/modules/ngx_stream_module.so;
            daemon off;
            worker_processes 1;
            worker_rlimit_nofile {{ProcessTree.DescriptorLimit()}};
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log crit;
            events { worker_connections 30000; }
            stream {
                map $ssl_preread_server_name $sni_upstream {
                    ~\.example\.test$ 127.0.0.1:{{context.OriginTls}};
                    default 127.0.0.1:1;
                }
                server { listen 127.0.0.1:{{bulk}}; proxy_pass 127.0.0.1:{{context.OriginBulk}}; }
                server { listen 127.0.0.1:{{http}}; proxy_pass 127.0.0.1:{{context.OriginHttp}}; }
                server { listen 127.0.0.1:{{sni}}; ssl_preread on; proxy_pass $sni_upstream; }
            }

            """));
        ManagedProcess process = context.StartProxy("nginx", null, "nginx", "-c", config, "-p", dir);
        return await new Peer("nginx", process) { BulkRelay = bulk, HttpRelay = http, Sni = sni }.ReadyAsync(sni).ConfigureAwait(false);
    }
}
