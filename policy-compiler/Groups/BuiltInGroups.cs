using System.Collections.Immutable;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Groups;

/// <summary>
/// The five groups of the Balanced policy: what a coding agent needs to do ordinary work.
/// Registries and mirrors are covered by a wildcard on their parent domain (their hosts
/// move between CDNs); user-content hosting (pages, app platforms) is left out on purpose.
/// Built-in groups cannot be removed: deny rules override them.
/// </summary>
public static class BuiltInGroups
{
    /// <summary>AI provider APIs and agent back ends.</summary>
    public const string AiServices = "default-ai-services";

    /// <summary>Language package registries.</summary>
    public const string PackageManagers = "default-package-managers";

    /// <summary>Code hosts and container registries.</summary>
    public const string CodeAndContainers = "default-code-and-containers";

    /// <summary>The major clouds' APIs and CDNs.</summary>
    public const string CloudInfrastructure = "default-cloud-infrastructure";

    /// <summary>Operating-system package mirrors.</summary>
    public const string OsPackages = "default-os-packages";

    /// <summary>The groups, in listing order.</summary>
    public static ImmutableArray<PolicyRule> All { get; } =
    [
        Group(AiServices,
            "anthropic.com", "*.anthropic.com", "claude.ai", "*.claude.ai", "claude.com", "*.claude.com",
            "openai.com", "*.openai.com", "chatgpt.com", "*.chatgpt.com",
            "generativelanguage.googleapis.com", "aiplatform.googleapis.com", "gemini.google.com",
            "cursor.com", "*.cursor.com", "cursor.sh", "*.cursor.sh",
            "perplexity.ai", "*.perplexity.ai", "mistral.ai", "*.mistral.ai",
            "api.githubcopilot.com", "*.githubcopilot.com", "api.groq.com", "api.deepseek.com",
            "api.x.ai", "openrouter.ai", "*.openrouter.ai", "api.cohere.com", "api.together.xyz",
            "huggingface.co", "*.huggingface.co", "*.hf.co"),
        Group(PackageManagers,
            "pypi.org", "*.pypi.org", "pythonhosted.org", "*.pythonhosted.org",
            "npmjs.org", "*.npmjs.org", "npmjs.com", "*.npmjs.com", "yarnpkg.com", "*.yarnpkg.com",
            "jsr.io", "*.jsr.io", "deno.land", "*.deno.land",
            "crates.io", "*.crates.io", "rust-lang.org", "*.rust-lang.org",
            "maven.org", "*.maven.org", "repo.maven.apache.org", "gradle.org", "*.gradle.org",
            "rubygems.org", "*.rubygems.org", "nuget.org", "*.nuget.org",
            "proxy.golang.org", "sum.golang.org", "index.golang.org", "go.dev", "*.go.dev",
            "packagist.org", "*.packagist.org", "hex.pm", "*.hex.pm", "pub.dev", "*.pub.dev",
            "cocoapods.org", "*.cocoapods.org", "anaconda.org", "*.anaconda.org", "*.anaconda.com",
            "cpan.org", "*.cpan.org", "*.metacpan.org", "hackage.haskell.org", "brew.sh", "*.brew.sh"),
        Group(CodeAndContainers,
            "github.com", "*.github.com", "*.githubusercontent.com", "*.githubassets.com", "ghcr.io",
            "gitlab.com", "*.gitlab.com", "bitbucket.org", "*.bitbucket.org",
            "docker.io", "*.docker.io", "docker.com", "*.docker.com", "quay.io", "*.quay.io",
            "gcr.io", "*.gcr.io", "*.pkg.dev", "mcr.microsoft.com", "*.data.mcr.microsoft.com",
            "public.ecr.aws", "registry.k8s.io", "*.pkg.k8s.io"),
        Group(CloudInfrastructure,
            "amazonaws.com", "*.amazonaws.com", "aws.amazon.com", "*.aws.amazon.com", "*.awsstatic.com", "*.api.aws",
            "googleapis.com", "*.googleapis.com", "cloud.google.com", "accounts.google.com", "*.gstatic.com",
            "azure.com", "*.azure.com", "*.azure.net", "*.windows.net", "login.microsoftonline.com", "*.azureedge.net",
            "vercel.com", "*.vercel.com", "fastly.com", "*.fastly.com", "*.fastly.net", "*.fastlylb.net",
            "cloudflare.com", "*.cloudflare.com"),
        Group(OsPackages,
            "debian.org", "*.debian.org", "ubuntu.com", "*.ubuntu.com", "*.launchpad.net", "*.launchpadcontent.net",
            "alpinelinux.org", "*.alpinelinux.org", "fedoraproject.org", "*.fedoraproject.org",
            "centos.org", "*.centos.org", "rockylinux.org", "*.rockylinux.org", "almalinux.org", "*.almalinux.org",
            "archlinux.org", "*.archlinux.org", "opensuse.org", "*.opensuse.org"),
    ];

    /// <summary>True when <paramref name="id"/> names a built-in group (or the allow-all rule).</summary>
    public static bool IsBuiltIn(string id)
    {
        if (id == DefaultPolicies.AllowAllGroup)
        {
            return true;
        }

        foreach (PolicyRule rule in All)
        {
            if (rule.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    private static PolicyRule Group(string name, params string[] patterns)
    {
        var resources = ImmutableArray.CreateBuilder<Patterns.RulePattern>(patterns.Length);
        foreach (string pattern in patterns)
        {
            resources.Add(DefaultPolicies.Parse(pattern));
        }

        return new PolicyRule(name, RuleDecision.Allow, resources.MoveToImmutable(), RuleSource.BuiltIn(name));
    }
}
