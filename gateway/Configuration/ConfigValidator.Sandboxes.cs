using System.Net;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>sandboxes</c>: unique names, addresses that identify exactly one sandbox, tokens worth having.</summary>
internal sealed partial class ConfigValidator
{
    // Long enough that guessing it over the proxy is hopeless (128 bits as hex is 32).
    private const int MinTokenLength = 16;
    private const int MaxSandboxNameLength = 63;

    private static readonly string[] s_sandboxKeys = ["name", "addresses", "kits", "token", "budgets"];

    private System.Collections.Immutable.ImmutableArray<SandboxConfig> ReadSandboxes(ConfigNode? node)
    {
        var sandboxes = new List<SandboxConfig>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<IPAddress, string>();
        foreach ((ConfigNode item, string path) in Items(node, "sandboxes"))
        {
            ConfigSection section = Open(item, path, s_sandboxKeys);
            if (item.Kind != ConfigNodeKind.Mapping)
            {
                if (item.Kind == ConfigNodeKind.Null)
                {
                    Report(item, path, "empty; write { name: NAME, addresses: [IP] }");
                }

                continue;
            }

            string? name = ReadSandboxName(section, names);
            var addresses = new List<IPAddress>();
            foreach ((ConfigNode addressNode, string addressPath) in Items(section.Get("addresses"), section.PathOf("addresses")))
            {
                if (!TryText(addressNode, addressPath, out string text))
                {
                    continue;
                }

                if (!IpSyntax.TryParse(text, foldMapped: true, out IPAddress address))
                {
                    Report(addressNode, addressPath, $"\"{text}\" is not an IP address; write a literal such as 10.209.0.2 or fd00::2");
                }
                else if (owners.TryGetValue(address, out string? owner))
                {
                    // The source address is the sandbox's identity; two owners would make it ambiguous.
                    Report(addressNode, addressPath, $"{address} already identifies sandbox \"{owner}\"; an address belongs to one sandbox");
                }
                else
                {
                    owners.Add(address, name ?? path);
                    addresses.Add(address);
                }
            }

            if (section.Get("addresses") is null or { Kind: ConfigNodeKind.Null } or { Kind: ConfigNodeKind.Sequence, Items.Count: 0 })
            {
                Report(item, path, "a sandbox needs addresses: [IP, …], the source addresses it connects from");
            }

            var kits = new List<string>();
            foreach ((ConfigNode kitNode, string kitPath) in Items(section.Get("kits"), section.PathOf("kits")))
            {
                if (!TryText(kitNode, kitPath, out string kit))
                {
                    continue;
                }

                if (kit.Length == 0 || kit.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    Report(kitNode, kitPath, $"\"{kit}\" is not a kit name; name a kit as its spec.yaml does");
                }
                else
                {
                    kits.Add(kit);
                }
            }

            string? token = ReadToken(section);
            PolicyCompiler.Budgets.BudgetLimits budgets = ReadBudgets(section.Get("budgets"), section.PathOf("budgets"));
            if (name is not null)
            {
                sandboxes.Add(new SandboxConfig(name, ToImmutable(addresses), ToImmutable(kits), token) { Budgets = budgets });
            }
        }

        return ToImmutable(sandboxes);
    }

    private string? ReadSandboxName(ConfigSection section, Dictionary<string, string> names)
    {
        ConfigNode? node = section.Get("name");
        string path = section.PathOf("name");
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            Report(node?.Origin ?? section.Origin, node is null ? section.Path : path, "a sandbox needs a name");
            return null;
        }

        if (!TryText(node, path, out string name))
        {
            return null;
        }

        if (!IsSandboxName(name))
        {
            Report(node, path, $"\"{name}\" is not a sandbox name; use lower-case letters, digits and '-', "
                + $"starting with a letter or digit, at most {MaxSandboxNameLength} characters");
            return null;
        }

        if (names.TryGetValue(name, out string? first))
        {
            Report(node, path, $"\"{name}\" is already the name of {first}; sandbox names are unique");
            return null;
        }

        names.Add(name, section.Path);
        return name;
    }

    // Never echo the token: an error line ends up in logs and terminals.
    private string? ReadToken(ConfigSection section)
    {
        ConfigNode? node = section.Get("token");
        string path = section.PathOf("token");
        if (node is null || !TryText(node, path, out string token))
        {
            return null;
        }

        if (token.Any(c => c is < '!' or > '~'))
        {
            Report(node, path, "a token holds visible ASCII characters only (it travels in a Proxy-Authorization header)");
            return null;
        }

        if (token.Length < MinTokenLength)
        {
            Report(node, path, $"the token is {token.Length} characters; use at least {MinTokenLength} random ones, "
                + "e.g. from openssl rand -hex 16");
            return null;
        }

        return token;
    }

    private static bool IsSandboxName(string name) =>
        name.Length is > 0 and <= MaxSandboxNameLength
        && name[0] != '-'
        && name.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c == '-');
}
