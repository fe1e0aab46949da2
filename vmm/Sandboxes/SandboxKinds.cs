using Vmm.Microvm;
using Vmm.Netns;

namespace Vmm.Sandboxes;

/// <summary>The kinds <c>--kind</c> accepts. A kind is added here and nowhere else.</summary>
internal static class SandboxKinds
{
    /// <summary>Every kind this build has, the default first.</summary>
    public static IReadOnlyList<ISandboxKind> All { get; } = [new NetnsKind(), new MicrovmKind()];

    /// <summary>Names <c>--kind</c> accepts, whether or not this build has them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["netns", "microvm"];

    /// <summary>The kind named <paramref name="name"/>, or null when this build lacks it.</summary>
    public static ISandboxKind? Find(string name)
    {
        foreach (ISandboxKind kind in All)
        {
            if (kind.Name == name)
            {
                return kind;
            }
        }

        return null;
    }
}
