using PolicyCompiler.Kits;

namespace Vmm.Sandboxes;

/// <summary>The variables every process in a sandbox gets.</summary>
internal static class SandboxEnvironment
{
    /// <summary>
    /// Proxy settings (both spellings: curl reads only the lower-case <c>http_proxy</c>), the kits'
    /// literal variables, and the gateway's placeholder for each of their <c>proxyManaged</c>
    /// variables. A proxy-managed variable the gateway has no placeholder for is left unset and
    /// reported in <paramref name="notes"/>: the real value never enters the sandbox.
    /// </summary>
    public static Dictionary<string, string> Build(
        string hostAddress, GatewayPorts ports, string name, string? token, IReadOnlyList<KitSpec> kits,
        IReadOnlyDictionary<string, string>? placeholders, List<string> notes)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KitSpec kit in kits)
        {
            foreach ((string variable, string value) in kit.Environment.Variables)
            {
                environment[variable] = value;
            }
        }

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

        if (ports.Forward is { } forward)
        {
            string credentials = token is null ? string.Empty : $"{name}:{token}@";
            string proxy = $"http://{credentials}{hostAddress}:{forward}";
            foreach (string variable in (string[])["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"])
            {
                environment[variable] = proxy;
            }

            environment["NO_PROXY"] = environment["no_proxy"] = "localhost,127.0.0.1,::1";
        }

        return environment;
    }
}
