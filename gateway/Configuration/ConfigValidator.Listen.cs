using System.Net;
using System.Net.Sockets;
using System.Text;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>listen</c>: endpoints, which of them may be TCP, and that no two collide.</summary>
internal sealed partial class ConfigValidator
{
    // sockaddr_un.sun_path is 108 bytes on Linux, one of them the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    private static readonly string[] s_listenKeys = ["forward", "transparentHttp", "transparentTls", "dns", "metrics", "metricsAllowRemote", "admin", "blockPage", "transport"];

    private ListenConfig ReadListen(ConfigNode? node)
    {
        ConfigSection section = Open(node, "listen", s_listenKeys);
        var bound = new List<(string Path, ConfigNode Node, EndPoint EndPoint)>();
        IPEndPoint? forward = ReadTcpListener(section, "forward", ConfigDefaults.Forward, bound);
        IPEndPoint? transparentHttp = ReadTcpListener(section, "transparentHttp", null, bound);
        IPEndPoint? transparentTls = ReadTcpListener(section, "transparentTls", null, bound);
        IPEndPoint? dns = ReadTcpListener(section, "dns", null, bound);
        bool metricsAllowRemote = ReadFlag(section, "metricsAllowRemote", ConfigDefaults.MetricsAllowRemote);
        EndPoint? metrics = ReadMetrics(section, metricsAllowRemote, bound);
        UnixDomainSocketEndPoint admin = ReadAdmin(section, bound);

        // Only when forward was turned off on purpose: a bad value was already reported.
        if (section.Get("forward") is { Kind: ConfigNodeKind.Null } && transparentHttp is null && transparentTls is null
            && section.Get("transparentHttp") is null or { Kind: ConfigNodeKind.Null }
            && section.Get("transparentTls") is null or { Kind: ConfigNodeKind.Null })
        {
            Report(section.Get("forward")!, section.PathOf("forward"),
                "no listener serves sandboxes; set listen.forward, listen.transparentHttp or listen.transparentTls");
        }

        CheckDistinct(bound);
        bool blockPage = ReadFlag(section, "blockPage", "false");
        return new ListenConfig(forward, transparentHttp, transparentTls, dns, metrics, admin, metricsAllowRemote, blockPage)
        {
            Transport = ReadTransport(section),
        };
    }

    private ListenTransport ReadTransport(ConfigSection section)
    {
        ConfigNode node = ValueOrDefault(section, "transport", ConfigDefaults.Transport);
        string path = section.PathOf("transport");
        if (!TryText(node, path, out string text))
        {
            return ListenTransport.Kestrel;
        }

        switch (text)
        {
            case "gateway":
                return ListenTransport.Gateway;
            case "kestrel":
                return ListenTransport.Kestrel;
            default:
                Report(node, path, $"\"{text}\" is not a transport; use gateway or kestrel");
                return ListenTransport.Kestrel;
        }
    }

    // A missing key takes the default; an explicit null turns the listener off.
    private IPEndPoint? ReadTcpListener(
        ConfigSection section, string key, string? defaultText, List<(string, ConfigNode, EndPoint)> bound)
    {
        ConfigNode? node = section.Get(key) ?? (defaultText is null ? null : ConfigNode.Scalar(defaultText, ConfigOrigin.Default));
        string path = section.PathOf(key);
        if (node is null || !TryText(node, path, out string text))
        {
            return null;
        }

        if (text.StartsWith(EndpointSyntax.UnixPrefix, StringComparison.Ordinal))
        {
            Report(node, path, $"\"{text}\" is a unix socket; sandboxes reach this listener over TCP: use IPv4:port or [IPv6]:port");
            return null;
        }

        if (!EndpointSyntax.TryParse(text, out IPEndPoint endpoint, out string error))
        {
            Report(node, path, error);
            return null;
        }

        bound.Add((path, node, endpoint));
        return endpoint;
    }

    // Invariant 1: metrics must not be reachable from a sandbox, so loopback or a unix socket
    // unless the operator says in so many words that another address is fenced off from sandboxes.
    private EndPoint? ReadMetrics(ConfigSection section, bool allowRemote, List<(string, ConfigNode, EndPoint)> bound)
    {
        ConfigNode node = section.Get("metrics") ?? ConfigNode.Scalar(ConfigDefaults.Metrics, ConfigOrigin.Default);
        string path = section.PathOf("metrics");
        if (!TryText(node, path, out string text))
        {
            return null;
        }

        EndPoint? endpoint = null;
        if (text.StartsWith(EndpointSyntax.UnixPrefix, StringComparison.Ordinal))
        {
            endpoint = ReadUnixSocket(node, path, text);
        }
        else if (!EndpointSyntax.TryParse(text, out IPEndPoint tcp, out string error))
        {
            Report(node, path, error);
        }
        else if (!allowRemote && !IPAddress.IsLoopback(tcp.Address))
        {
            Report(node, path, $"\"{text}\" is reachable from other hosts; metrics listen on loopback or a unix socket, "
                + $"e.g. {ConfigDefaults.Metrics}, unless {section.PathOf("metricsAllowRemote")}: true is set "
                + "(then no sandbox may reach that address)");
        }
        else
        {
            endpoint = tcp;
        }

        if (endpoint is not null)
        {
            bound.Add((path, node, endpoint));
        }

        return endpoint;
    }

    // A missing or null key takes the default. YAML 1.2 booleans only: yes/no/on/off are strings there.
    private bool ReadFlag(ConfigSection section, string key, string defaultText)
    {
        ConfigNode node = ValueOrDefault(section, key, defaultText);
        string path = section.PathOf(key);
        if (TryText(node, path, out string text))
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (!string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            {
                Report(node, path, $"\"{text}\" is not a flag; use true or false");
            }
        }

        return false;
    }

    // Invariant 1 again: the admin API changes policy, so it is never TCP on any address.
    private UnixDomainSocketEndPoint ReadAdmin(ConfigSection section, List<(string, ConfigNode, EndPoint)> bound)
    {
        ConfigNode? node = section.Get("admin");
        string path = section.PathOf("admin");
        if (node is { Kind: ConfigNodeKind.Null })
        {
            Report(node, path, "cannot be turned off; the CLI and vmm reach the daemon through it");
        }
        else if (node is not null && TryText(node, path, out string text))
        {
            if (!text.StartsWith(EndpointSyntax.UnixPrefix, StringComparison.Ordinal))
            {
                Report(node, path, $"\"{text}\" is not a unix socket; the admin API listens only on one, "
                    + $"e.g. {ConfigDefaults.Admin}");
            }
            else if (ReadUnixSocket(node, path, text) is { } configured)
            {
                bound.Add((path, node, configured));
                return configured;
            }
        }

        ConfigNode fallback = ConfigNode.Scalar(ConfigDefaults.Admin, ConfigOrigin.Default);
        UnixDomainSocketEndPoint admin = ReadUnixSocket(fallback, path, ConfigDefaults.Admin)
            ?? new UnixDomainSocketEndPoint("/admin.sock");
        if (node is null)
        {
            bound.Add((path, fallback, admin));
        }

        return admin;
    }

    private UnixDomainSocketEndPoint? ReadUnixSocket(ConfigNode node, string path, string text)
    {
        if (!TryPath(node, path, text[EndpointSyntax.UnixPrefix.Length..], out string socketPath))
        {
            return null;
        }

        int bytes = Encoding.UTF8.GetByteCount(socketPath);
        if (bytes > MaxUnixPathBytes)
        {
            Report(node, path, $"unix socket path \"{socketPath}\" is {bytes} bytes; the limit is {MaxUnixPathBytes}, "
                + "choose a shorter path or stateDir");
            return null;
        }

        return new UnixDomainSocketEndPoint(socketPath);
    }

    private void CheckDistinct(List<(string Path, ConfigNode Node, EndPoint EndPoint)> bound)
    {
        for (int i = 1; i < bound.Count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (Collide(bound[i].EndPoint, bound[j].EndPoint))
                {
                    // Point at the key the operator wrote, not at a default it collided with.
                    bool laterIsDefault = bound[i].Node.Origin is { File: null, Variable: null };
                    var (at, other) = laterIsDefault ? (bound[j], bound[i]) : (bound[i], bound[j]);
                    Report(at.Node, at.Path, $"{Display(at.EndPoint)} is also {other.Path}; give each listener its own address");
                    break;
                }
            }
        }
    }

    // A wildcard address takes the port on every address, so it collides with any address on that port.
    private static bool Collide(EndPoint a, EndPoint b) => (a, b) switch
    {
        (IPEndPoint x, IPEndPoint y) => x.Port == y.Port
            && (x.Address.Equals(y.Address) || IsWildcard(x.Address) || IsWildcard(y.Address)),
        (UnixDomainSocketEndPoint x, UnixDomainSocketEndPoint y) => x.ToString() == y.ToString(),
        _ => false,
    };

    private static bool IsWildcard(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static string Display(EndPoint endpoint) =>
        endpoint is UnixDomainSocketEndPoint ? EndpointSyntax.UnixPrefix + endpoint : endpoint.ToString()!;
}
