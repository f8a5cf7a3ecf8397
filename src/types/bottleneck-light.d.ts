// bottleneck/light.js is the Redis-free build the throttling plugin itself uses; its API and types
// are those of the full package.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
