import { describe, expect, it } from "vitest";
import { describeConnectionError, parseQueueUrl, redactSecrets, redactUrlText } from "../../src/experiments/queue/index.js";

describe("queue URLs", () => {
  it("parse host, port, database, credentials and TLS; the display form has no credentials", () => {
    expect(parseQueueUrl("redis://127.0.0.1:6380/2", "--queue", {})).toEqual({ tls: false, host: "127.0.0.1", port: 6380, db: 2, display: "redis://127.0.0.1:6380/2" });
    expect(parseQueueUrl("redis://queue.lab.internal", "--queue", {})).toMatchObject({ host: "queue.lab.internal", port: 6379, db: 0, display: "redis://queue.lab.internal:6379/0" });
    const a = parseQueueUrl("rediss://alice:p%40ss%3Aw0rd@[::1]:7000/15", "--queue", {});
    expect(a).toMatchObject({ tls: true, host: "::1", port: 7000, db: 15, username: "alice", password: "p@ss:w0rd", display: "rediss://***@[::1]:7000/15" });
    expect(parseQueueUrl("redis://:s3cret@h:1/", "--queue", {})).toMatchObject({ password: "s3cret", db: 0, display: "redis://***@h:1/0" });
  });

  it("take the password from SPLITSCAPE_REDIS_PASSWORD when the URL has none (the URL's wins)", () => {
    expect(parseQueueUrl("redis://h:1", "--queue", { SPLITSCAPE_REDIS_PASSWORD: "envpw" })).toMatchObject({ password: "envpw", display: "redis://h:1/0" });
    expect(parseQueueUrl("redis://:urlpw@h:1", "--queue", { SPLITSCAPE_REDIS_PASSWORD: "envpw" }).password).toBe("urlpw");
  });

  it.each([
    ["http://h:1", /the scheme http:\/\/ is not Redis's/],
    ["h:6379", /not a URL/],
    ["redis://", /no host/],
    ["redis://h:99999", /port 99999 is not in 1…65535/],
    ["redis://h:1/x", /the database "\/x" is not a number/],
    ["redis://h:1/0?tls=1", /query parameters/],
    ["redis://u:%E0%A4%A@h:1", /percent-encoding/],
  ])("refuse %s with the expected form", (url, why) => {
    expect(() => parseQueueUrl(url, "--queue", {})).toThrow(why);
    expect(() => parseQueueUrl(url, "--queue", {})).toThrow(/^--queue: .*expected redis:\/\/\[user:password@\]HOST\[:PORT\]\[\/DB\] or rediss:\/\//);
  });

  it("never repeat the credentials of a bad URL", () => {
    let message = "";
    try {
      parseQueueUrl("redis://bob:hunter2@h:99999/0", "--queue", {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"redis://***@h:99999/0"');
    expect(message).not.toContain("hunter2");
    expect(redactUrlText("rediss://u:p@x/1")).toBe("rediss://***@x/1");
    const address = parseQueueUrl("redis://bob:hunter2@h:1", "--queue", {});
    expect(redactSecrets("AUTH bob hunter2 failed", address)).toBe("AUTH *** *** failed");
  });

  it("describe connection failures in words, without the password", () => {
    const address = parseQueueUrl("redis://:hunter2@h:1/3", "--queue", {});
    expect(describeConnectionError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, address)).toMatch(/^connection refused/);
    expect(describeConnectionError({ message: "WRONGPASS invalid username-password pair" }, address)).toMatch(/refused the user name or password/);
    expect(describeConnectionError({ message: "NOAUTH Authentication required." }, address)).toMatch(/requires a password.*SPLITSCAPE_REDIS_PASSWORD/);
    expect(describeConnectionError({ message: "ERR DB index is out of range" }, address)).toMatch(/no database 3/);
    expect(describeConnectionError({ message: "oops hunter2" }, address)).toBe("oops ***");
  });
});
