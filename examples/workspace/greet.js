// The demo workspace's code: what the example pipeline's `test` stage checks.
function greet(name) {
  return `Hello, ${name}!`;
}
module.exports = { greet };
