using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>Squid as a CONNECT proxy: one worker, no cache, no access log, two allow rules (as the gateway's policy has).</summary>
internal static class Squid
{
    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int port = Ports.Free();
        string dir = Path.Combine(context.Work, "squid");
        Directory.CreateDirectory(dir);

        // Squid drops to the "proxy" user: its files must be writable by it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
        }
        string config = context.WriteFile("squid/squid.conf", string.Create(CultureInfo.InvariantCulture, $"""
            http_port 127.0.0.1:{port}
            visible_hostname perf.example.test
            acl origin_ip dst 127.0.0.1/32
            acl origin_names dstdomain .example.test
            http_access allow origin_ip
            http_access allow origin_names
            http_access deny all
            workers 1
            cache deny all
            cache_mem 0 MB
            access_log none
            cache_store_log none
            cache_log {dir}/cache.log
            pid_filename {dir}/squid.pid
            coredump_dir {dir}
            max_filedescriptors {ProcessTree.DescriptorLimit()}
            shutdown_lifetime 1 seconds
            dns_nameservers 127.0.0.1
            hosts_file /etc/hosts

            """));
        ManagedProcess process = context.StartProxy("squid", null, "squid", "-N", "-f", config);
        return await new Peer("squid", process) { Connect = port }.ReadyAsync(port).ConfigureAwait(false);
    }
}
