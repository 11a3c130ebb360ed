// app.py's OpenAI-shaped app on Node's http module: node app.js PORT
// (the same routes and answers; see app.py's docstring).
"use strict";
const http = require("http");

const MODELS = ["m", "big", "fail"];
const BIG = "0123456789".repeat(100000);
const seen = new Set(); // request ids that already had their 429

function sendJson(res, status, obj, extra) {
  const data = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, Object.assign({ "Content-Type": "application/json", "Content-Length": data.length }, extra));
  res.end(data);
}

function lastUserText(messages) {
  for (const m of (Array.isArray(messages) ? messages : []).slice().reverse()) {
    if (m && m.role === "user") {
      let c = m.content;
      if (Array.isArray(c)) c = c.map((i) => (i && i.text) || "").join("");
      return typeof c === "string" ? c : "";
    }
  }
  return "";
}

function chunk(model, delta, finishReason) {
  const event = { id: "chatcmpl-stacks", object: "chat.completion.chunk", created: 1700000000, model,
    choices: [{ index: 0, delta, finish_reason: finishReason || null }] };
  return "data: " + JSON.stringify(event) + "\n\n";
}

function chat(req, res, body) {
  const model = body.model || "m";
  if (model === "fail") {
    return sendJson(res, 500, { error: { message: "boom", type: "server_error", code: "x" } });
  }
  let text = "echo: " + lastUserText(body.messages);
  if (req.headers["x-test"] === "429-once") {
    const id = req.headers["x-ms-client-request-id"] || req.headers["x-request-id"] || "";
    if (!seen.has(id)) {
      seen.add(id);
      return sendJson(res, 429, { error: { message: "slow down", type: "rate_limit_exceeded", code: "429" } },
        { "Retry-After": "0" });
    }
    text = "retried: " + lastUserText(body.messages);
  }
  if (model === "big") text = BIG;
  if (body.stream) {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const third = Math.max(1, Math.floor(text.length / 3));
    res.write(chunk(model, { role: "assistant", content: "" }));
    for (const part of [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)]) {
      res.write(chunk(model, { content: part }));
    }
    res.write(chunk(model, {}, "stop"));
    return res.end("data: [DONE]\n\n");
  }
  return sendJson(res, 200, { id: "chatcmpl-stacks", object: "chat.completion", created: 1700000000, model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
}

function embeddings(res, body) {
  const inputs = typeof body.input === "string" ? [body.input] : Array.isArray(body.input) ? body.input : [];
  // JSON.stringify writes 2.0 as 2: app.py writes floats, and a client reads both as numbers
  const data = inputs.map((t, i) => ({ object: "embedding", index: i, embedding: [String(t).length, i, 0.5] }));
  sendJson(res, 200, { object: "list", data, model: body.model || "m",
    usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
}

const server = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", () => {
    const path = req.url.split("?")[0].replace(/\/+$/, "");
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list",
        data: MODELS.map((id) => ({ id, object: "model", created: 1700000000, owned_by: "stacks" })) });
    }
    if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/v1/embeddings")) {
      let body;
      try {
        body = JSON.parse(Buffer.concat(parts).toString("utf8") || "{}");
      } catch (e) {
        return sendJson(res, 400, { error: { message: "the body is not JSON", type: "invalid_request_error", code: "400" } });
      }
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        return sendJson(res, 400, { error: { message: "the body is not a JSON object", type: "invalid_request_error", code: "400" } });
      }
      return path.endsWith("completions") ? chat(req, res, body) : embeddings(res, body);
    }
    sendJson(res, 404, { error: { message: "no route " + req.method + " " + path, type: "not_found", code: "404" } });
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1");
