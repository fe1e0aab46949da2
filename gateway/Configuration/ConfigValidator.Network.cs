using System.Collections.Frozen;
using System.Net;
using PolicyCompiler.Groups;
using PolicyCompiler.Hosts;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>policy</c>, <c>resolve</c>, <c>egress</c>, <c>trust</c> and <c>upstream</c>.</summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_policyKeys = ["initialDefault", "mode", "ask"];
    private static readonly string[] s_resolveKeys = ["hosts"];
    private static readonly string[] s_egressKeys = ["allowCidrs"];
    private static readonly string[] s_trustKeys = ["extraRootCAs"];
    private static readonly string[] s_upstreamKeys = ["socks5", "socks5Credential"];

    private PolicyConfig ReadPolicy(ConfigNode? node)
    {
        ConfigSection section = Open(node, "policy", s_policyKeys);
        DefaultPolicy initial = DefaultPolicy.Balanced;
        ConfigNode initialNode = ValueOrDefault(section, "initialDefault", ConfigDefaults.InitialDefault);
        if (TryText(initialNode, section.PathOf("initialDefault"), out string text) && !DefaultPolicies.TryParse(text, out initial))
        {
            Report(initialNode, section.PathOf("initialDefault"),
                $"\"{text}\" is not a default policy; use allow-all, balanced or deny-all");
        }

        PolicyMode mode = PolicyMode.Enforce;
        ConfigNode modeNode = ValueOrDefault(section, "mode", ConfigDefaults.Mode);
        if (TryText(modeNode, section.PathOf("mode"), out text))
        {
            switch (text)
            {
                case "enforce":
                    break;
                case "report":
                    mode = PolicyMode.Report;
                    break;
                default:
                    Report(modeNode, section.PathOf("mode"), $"\"{text}\" is not a policy mode; use enforce or report");
                    break;
            }
        }

        return new PolicyConfig(initial, mode) { Ask = ReadAsk(section.Get("ask")) };
    }

    private ResolveConfig ReadResolve(ConfigNode? node)
    {
        ConfigSection section = Open(node, "resolve", s_resolveKeys);
        var hosts = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ConfigEntry entry in NamedEntries(section.Get("hosts"), "resolve.hosts", "{ \"api.example.test\": 127.0.0.1 }"))
        {
            string path = YamlKeyPath.Child("resolve.hosts", entry.Key);
            string? host = HostCanonicalizer.Canonicalize(entry.Key, out HostKind kind, out HostError error);
            if (host is null)
            {
                Report(entry.KeyOrigin, path, $"\"{entry.Key}\": {HostErrorMessages.Describe(error)}");
            }
            else if (kind != HostKind.Name)
            {
                Report(entry.KeyOrigin, path, $"\"{entry.Key}\" is an IP address; resolve.hosts maps host names to addresses");
                host = null;
            }
            else if (written.TryGetValue(host, out string? first))
            {
                Report(entry.KeyOrigin, path, $"\"{entry.Key}\" is the same host as \"{first}\"; write it once");
                host = null;
            }

            if (!TryText(entry.Value, path, out string text))
            {
                if (entry.Value.Kind == ConfigNodeKind.Null)
                {
                    Report(entry.Value, path, "needs an address, e.g. 127.0.0.1");
                }
            }
            else if (!IpSyntax.TryParse(text, foldMapped: true, out IPAddress address))
            {
                Report(entry.Value, path, $"\"{text}\" is not an IP address; write a literal such as 127.0.0.1 or ::1");
            }
            else if (host is not null)
            {
                hosts.Add(host, address);
                written.Add(host, entry.Key);
            }
        }

        return new ResolveConfig(hosts.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private EgressConfig ReadEgress(ConfigNode? node)
    {
        ConfigSection section = Open(node, "egress", s_egressKeys);
        var cidrs = new List<IPNetwork>();
        foreach ((ConfigNode item, string path) in Items(section.Get("allowCidrs"), "egress.allowCidrs"))
        {
            if (!TryText(item, path, out string text))
            {
                continue;
            }

            if (CidrSyntax.TryParse(text, out IPNetwork network, out string error))
            {
                cidrs.Add(network);
            }
            else
            {
                Report(item, path, error);
            }
        }

        return new EgressConfig(ToImmutable(cidrs));
    }

    private TrustConfig ReadTrust(ConfigNode? node)
    {
        ConfigSection section = Open(node, "trust", s_trustKeys);
        return new TrustConfig(ReadPaths(section.Get("extraRootCAs"), "trust.extraRootCAs"));
    }

    private UpstreamConfig ReadUpstream(ConfigNode? node, CredentialsConfig credentials)
    {
        ConfigSection section = Open(node, "upstream", s_upstreamKeys);
        DnsEndPoint? socks5 = null;
        ConfigNode? socksNode = section.Get("socks5");
        bool socksWritten = socksNode is { Kind: not ConfigNodeKind.Null };
        if (socksNode is not null && TryText(socksNode, section.PathOf("socks5"), out string url))
        {
            if (Socks5UrlSyntax.TryParse(url, out DnsEndPoint parsed, out string error))
            {
                socks5 = parsed;
            }
            else
            {
                Report(socksNode, section.PathOf("socks5"), error);
            }
        }

        string? credential = null;
        ConfigNode? credentialNode = section.Get("socks5Credential");
        string path = section.PathOf("socks5Credential");
        if (credentialNode is not null && TryText(credentialNode, path, out string name))
        {
            if (!credentials.Sources.TryGetValue(name, out CredentialSourceConfig? source))
            {
                Report(credentialNode, path, $"\"{name}\" is not a credential source; define it under credentials.sources");
            }
            else if (!source.IsUsernamePassword)
            {
                Report(credentialNode, path,
                    $"credential source \"{name}\" is not a username/password pair, which SOCKS5 (RFC 1929) needs");
            }
            else if (!socksWritten)
            {
                Report(credentialNode, path, "is set but upstream.socks5 is not; set the proxy it is for");
            }
            else
            {
                credential = name;
            }
        }

        return new UpstreamConfig(socks5, credential);
    }

    private static readonly string[] s_dnsKeys = ["answerAddress", "blocked"];

    private DnsConfig ReadDns(ConfigNode? node)
    {
        ConfigSection section = Open(node, "dns", s_dnsKeys);
        DnsBlockedAnswer blocked = ReadDnsBlocked(section);
        ConfigNode? value = section.Get("answerAddress");
        string path = section.PathOf("answerAddress");
        if (value is null || value.Kind == ConfigNodeKind.Null || !TryText(value, path, out string text))
        {
            return new DnsConfig(null, blocked);
        }

        if (!IpSyntax.TryParse(text, foldMapped: true, out IPAddress address))
        {
            Report(value, path, $"\"{text}\" is not an IP address; write a literal such as 10.209.0.1, or leave it out to answer with the address each query arrived on");
            return new DnsConfig(null, blocked);
        }

        return new DnsConfig(address, blocked);
    }

    private DnsBlockedAnswer ReadDnsBlocked(ConfigSection section)
    {
        ConfigNode? value = section.Get("blocked");
        string path = section.PathOf("blocked");
        if (value is null || value.Kind == ConfigNodeKind.Null || !TryText(value, path, out string text))
        {
            return DnsBlockedAnswer.NxDomain;
        }

        switch (text)
        {
            case "nxdomain":
                return DnsBlockedAnswer.NxDomain;
            case "refused":
                return DnsBlockedAnswer.Refused;
            case "gateway":
                return DnsBlockedAnswer.Gateway;
            default:
                Report(value, path, $"\"{text}\" is not an answer for blocked names; use nxdomain (the default: no retries), refused, or gateway (the transparent listener refuses the connection)");
                return DnsBlockedAnswer.NxDomain;
        }
    }
}
