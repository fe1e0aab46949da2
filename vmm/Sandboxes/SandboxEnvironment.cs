using PolicyCompiler.Kits;
using Vmm.Admin;

namespace Vmm.Sandboxes;

/// <summary>The variables every process in a sandbox gets.</summary>
internal static class SandboxEnvironment
{
    /// <summary>What passes from the caller's environment into <c>vmm exec</c>: nothing that could hold a secret.</summary>
    private static readonly string[] s_passed = ["TERM", "LANG", "LC_ALL", "TZ"];

    /// <summary>Proxy settings in both spellings: curl reads only the lower-case <c>http_proxy</c>.</summary>
    private static readonly string[] s_proxyVariables = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"];

    /// <summary>
    /// Where OpenSSL, Node.js, Python requests, curl, git and the AWS CLI look for extra or
    /// replacement roots: each names the sandbox's bundle (system roots and the gateway CA), so
    /// intercepted hosts are trusted with no flag and no change to anyone's trust store.
    /// </summary>
    private static readonly string[] s_caVariables =
        ["SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "AWS_CA_BUNDLE"];

    /// <summary>
    /// Proxy settings, the CA bundle's variables, the kits'
    /// literal variables (the gateway's copy winning), and the gateway's placeholder for each of their <c>proxyManaged</c>
    /// variables. A proxy-managed variable the gateway has no placeholder for is left unset and
    /// reported in <paramref name="notes"/>: the real value never enters the sandbox.
    /// </summary>
    public static Dictionary<string, string> Build(
        string hostAddress, GatewayPorts ports, string name, string? token, IReadOnlyList<KitSpec> kits,
        GatewayEnvironment? gateway, List<string> notes)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KitSpec kit in kits)
        {
            foreach ((string variable, string value) in kit.Environment.Variables)
            {
                environment[variable] = value;
            }
        }

        // The gateway's copy of the kits is the one it enforces; where it differs from the file given to create, it wins.
        foreach ((string variable, string value) in gateway?.Variables ?? [])
        {
            environment[variable] = value;
        }

        Dictionary<string, string>? placeholders = gateway?.ProxyManaged;

        foreach (KitSpec kit in kits)
        {
            foreach (string variable in kit.Environment.ProxyManaged)
            {
                if (placeholders is not null && placeholders.TryGetValue(variable, out string? placeholder))
                {
                    environment[variable] = placeholder;
                }
                else
                {
                    notes.Add($"kit \"{kit.Name}\": the gateway gave no placeholder for {variable}, so it is not set in the sandbox");
                }
            }
        }

        AddProxy(environment, hostAddress, ports, name, token);
        foreach (string variable in s_caVariables)
        {
            environment[variable] = CaBundle.PathInside;
        }

        return environment;
    }

    /// <summary>
    /// The sandbox's variables with the proxy settings made again for <paramref name="ports"/>:
    /// what <c>vmm exec</c> uses after the gateway restarted with other ports.
    /// </summary>
    public static Dictionary<string, string> WithPorts(
        IReadOnlyDictionary<string, string> sandbox, string hostAddress, GatewayPorts ports, string name, string? token)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string variable, string value) in sandbox)
        {
            if (Array.IndexOf(s_proxyVariables, variable) < 0)
            {
                environment[variable] = value;
            }
        }

        AddProxy(environment, hostAddress, ports, name, token);
        return environment;
    }

    /// <summary>
    /// The whole environment of a command <c>vmm exec</c> starts: a standard PATH, the terminal and
    /// locale of the caller, and the sandbox's own variables. The caller's other variables stay out:
    /// an operator's shell often holds the very credentials the gateway injects, and they must
    /// never reach the sandbox.
    /// </summary>
    public static Dictionary<string, string> ForExec(IReadOnlyDictionary<string, string> sandbox, string home = "/root")
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = home,
        };
        foreach (string name in s_passed)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        foreach ((string name, string value) in sandbox)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static void AddProxy(Dictionary<string, string> environment, string hostAddress, GatewayPorts ports, string name, string? token)
    {
        if (ports.Forward is not { } forward)
        {
            return;
        }

        string credentials = token is null ? string.Empty : $"{name}:{token}@";
        string proxy = $"http://{credentials}{ports.ForwardAddress ?? hostAddress}:{forward}";
        for (int i = 0; i < 4; i++)
        {
            environment[s_proxyVariables[i]] = proxy;
        }

        environment["NO_PROXY"] = environment["no_proxy"] = "localhost,127.0.0.1,::1";
    }
}
