using System.Globalization;
using Vmm.Cli;

namespace Vmm.Netns;

/// <summary>
/// Who a netns sandbox's processes run as (<c>vmm exec --user</c>). The default is <c>nobody</c>:
/// an unprivileged user owns nothing on the host, so even what vmm does not hide is only readable
/// where the whole world may read it.
/// </summary>
/// <param name="Name">The name as given, or the user's name.</param>
/// <param name="Uid">The host user id.</param>
/// <param name="Gid">The host group id.</param>
/// <param name="Home">The home directory inside the sandbox.</param>
internal sealed record SandboxUser(string Name, int Uid, int Gid, string Home)
{
    /// <summary>The user when <c>--user</c> is not given.</summary>
    public const string DefaultName = "nobody";

    /// <summary>True for root (uid 0), who still has no capability inside the sandbox.</summary>
    public bool IsRoot => Uid == 0;

    /// <summary>
    /// Resolves <c>NAME</c>, <c>UID</c>, <c>NAME:GROUP</c> or <c>UID:GID</c> against the host's
    /// <c>/etc/passwd</c> and <c>/etc/group</c>; a user with no group given gets its own primary group.
    /// </summary>
    public static SandboxUser Resolve(string? spec)
    {
        string given = string.IsNullOrEmpty(spec) ? DefaultName : spec;
        int colon = given.IndexOf(':', StringComparison.Ordinal);
        string user = colon < 0 ? given : given[..colon];
        string? group = colon < 0 ? null : given[(colon + 1)..];

        string[]? entry = Find("/etc/passwd", user);
        int uid = entry is not null ? ParseId(entry[2], user)
            : int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number
            : throw new VmmException($"--user {given}: no user \"{user}\" in /etc/passwd; give a user name or a numeric uid[:gid]", ExitCodes.Usage);

        int gid;
        if (group is { Length: > 0 })
        {
            string[]? groupEntry = Find("/etc/group", group);
            gid = groupEntry is not null ? ParseId(groupEntry[2], group)
                : int.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out int numberGroup) ? numberGroup
                : throw new VmmException($"--user {given}: no group \"{group}\" in /etc/group; give a group name or a numeric gid", ExitCodes.Usage);
        }
        else
        {
            gid = entry is not null ? ParseId(entry[3], user) : uid;
        }

        string home = uid == 0 ? "/root" : "/tmp";
        return new SandboxUser(entry?[0] ?? user, uid, gid, home);
    }

    private static string[]? Find(string file, string name)
    {
        foreach (string line in File.ReadLines(file))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 4 && (fields[0] == name || fields[2] == name))
            {
                return fields;
            }
        }

        return null;
    }

    private static int ParseId(string field, string name) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int id)
            ? id
            : throw new VmmException($"the host's entry for \"{name}\" has no numeric id");
}
