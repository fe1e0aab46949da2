using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Benchmarks;

/// <summary>
/// A deterministic, synthetic but realistic policy: names of 2–4 labels under a dozen TLDs,
/// clustered under shared registrable domains (as real allow-lists are), with exact, wildcard,
/// ported and deny rules. Seeded, so every run and every benchmark process builds the same set.
/// Never emits the host of a real package registry: every second-level label is synthetic.
/// </summary>
internal sealed class RuleGenerator
{
    public const int DefaultSeed = 20_261_123;

    // .com dominates, as it does in real policies.
    private static readonly string[] s_tlds =
        ["com", "com", "com", "com", "org", "net", "io", "dev", "app", "cloud", "test", "example", "co", "ai", "tech"];

    // TLDs no generated rule uses: lookups under them miss at the first label.
    public static readonly string[] UnknownTlds = ["zzx", "nope", "qqq", "lan-x", "unk"];

    private static readonly string[] s_words =
    [
        "acme", "corp", "cloud", "data", "api", "cdn", "static", "assets", "build", "ci", "pkg", "mirror",
        "auth", "login", "metrics", "logs", "storage", "media", "img", "docs", "status", "edge", "gw",
        "svc", "team", "proj", "eu", "us", "west", "east", "prod", "stage", "files", "blob", "queue",
        "search", "shop", "pay", "mail", "chat", "video", "maps", "ml", "models", "telemetry", "events",
        "hooks", "git", "code", "artifacts", "registry-cache", "objects", "upload", "download", "assets-v2",
        "example-corp", "northwind", "contoso", "fabrikam", "initech", "globex", "umbrella", "hooli",
    ];

    private static readonly int[] s_ports = [8443, 8080, 9443, 5432, 6379, 2222];

    // Hosts of real package registries: the generator must never produce them.
    private static readonly HashSet<string> s_forbidden = new(StringComparer.Ordinal)
    {
        "deb.debian.org", "security.debian.org", "api.nuget.org", "www.nuget.org",
        "registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org",
    };

    private readonly Random _random;
    private readonly List<string> _registrables = [];
    private readonly HashSet<string> _registrableSet = new(StringComparer.Ordinal);

    private RuleGenerator(int seed) => _random = new Random(seed);

    /// <summary>Exact allow names of two labels ("svc123.com"), no port.</summary>
    public List<string> ExactShallow { get; } = [];

    /// <summary>Bases of wildcard allow rules, no port ("team42.example.test" for "*.team42.example.test").</summary>
    public List<string> WildcardBases { get; } = [];

    /// <summary>Exact names of deny rules.</summary>
    public List<string> DenyExact { get; } = [];

    /// <summary>Bases of wildcard deny rules.</summary>
    public List<string> DenyWildcardBases { get; } = [];

    /// <summary>Every rule, in generation order.</summary>
    public List<PolicyRule> Rules { get; } = [];

    /// <summary>True when a registrable domain ("acme42.com") is used by some rule.</summary>
    public bool IsKnownRegistrable(string name) => _registrableSet.Contains(name);

    public static RuleGenerator Generate(int count, int seed = DefaultSeed)
    {
        var generator = new RuleGenerator(seed);
        for (int i = 0; i < count; i++)
        {
            generator.AddRule(i);
        }

        return generator;
    }

    /// <summary>A random label as seen in real names: a word, a word with a number, or two words.</summary>
    public string Label()
    {
        string word = s_words[_random.Next(s_words.Length)];
        return _random.Next(4) switch
        {
            0 => word,
            1 => word + _random.Next(1, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => word + "-" + s_words[_random.Next(s_words.Length)],
            _ => word[..Math.Min(word.Length, 3)] + _random.Next(10, 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public int Next(int max) => _random.Next(max);

    private void AddRule(int i)
    {
        while (true)
        {
            (string text, RuleDecision decision) = (i % 10) switch
            {
                0 => (Registrable(), RuleDecision.Allow),                                   // acme42.com
                1 or 2 => (Label() + "." + Registrable(), RuleDecision.Allow),               // api.acme42.com
                3 => (Label() + "." + Label() + "." + Registrable(), RuleDecision.Allow),    // api.svc123.example-corp.test
                4 => ("*." + Registrable(), RuleDecision.Allow),                             // *.acme42.com
                5 => ("*." + Label() + "." + Registrable(), RuleDecision.Allow),             // *.team42.example.test
                6 => (Label() + "." + Registrable() + ":" + Port(), RuleDecision.Allow),     // db.acme42.com:5432
                7 => ("*." + Registrable() + ":" + Port(), RuleDecision.Allow),              // *.acme42.io:8443
                8 => (Label() + "." + Registrable(), RuleDecision.Deny),                     // ads.acme42.com
                _ => ("*." + Label() + "." + Registrable(), RuleDecision.Deny),              // *.tracking.acme42.com
            };

            if (!PatternParser.TryParse(text, out RulePattern? pattern, out _) || s_forbidden.Contains(pattern!.Host))
            {
                // A generated name that happens to be a public suffix (or a registry host): draw again.
                continue;
            }

            string id = "r" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            Rules.Add(new PolicyRule(id, decision, [pattern], RuleSource.Local));
            if (pattern.Port == 0)
            {
                List<string>? list = (pattern.Kind, decision) switch
                {
                    (PatternKind.Exact, RuleDecision.Allow) when pattern.Host.Count(c => c == '.') == 1 => ExactShallow,
                    (PatternKind.Wildcard, RuleDecision.Allow) => WildcardBases,
                    (PatternKind.Exact, RuleDecision.Deny) => DenyExact,
                    (PatternKind.Wildcard, RuleDecision.Deny) => DenyWildcardBases,
                    _ => null,
                };
                list?.Add(pattern.Host);
            }

            return;
        }
    }

    private string Port() => s_ports[_random.Next(s_ports.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Rules cluster: 40 % of them reuse a registrable domain already in the policy.
    private string Registrable()
    {
        if (_registrables.Count > 0 && _random.Next(10) < 4)
        {
            return _registrables[_random.Next(_registrables.Count)];
        }

        string name = Label() + "." + s_tlds[_random.Next(s_tlds.Length)];
        if (_registrableSet.Add(name))
        {
            _registrables.Add(name);
        }

        return name;
    }
}
