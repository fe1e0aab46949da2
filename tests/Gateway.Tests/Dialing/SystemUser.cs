using System.Security.Cryptography;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Dialing;

/// <summary>A throw-away system account with a random password, for Dante's username method (root only).</summary>
internal sealed class SystemUser : IAsyncDisposable
{
    private SystemUser(string name, string password)
    {
        Name = name;
        Password = password;
    }

    public string Name { get; }

    public string Password { get; }

    public static async Task<SystemUser> CreateAsync()
    {
        string name = "gwsocks" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        (int exit, _, string error) = await ProcessRunner.RunAsync("/usr/sbin/useradd", ["-M", "-s", "/usr/sbin/nologin", name]);
        Assert.True(exit == 0, "useradd: " + error);
        var user = new SystemUser(name, password);
        (exit, _, error) = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"echo '{name}:{password}' | /usr/sbin/chpasswd"]);
        if (exit != 0)
        {
            await user.DisposeAsync();
            Assert.Fail("chpasswd: " + error);
        }

        return user;
    }

    public async ValueTask DisposeAsync() => await ProcessRunner.RunAsync("/usr/sbin/userdel", [Name]);
}
